"""/api/v1/users: the admin lists, creates and changes users (role, region, branch, active, a password reset)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from loanflow.accounts import users as service
from loanflow.accounts.models import ROLES
from loanflow.accounts.services import create_user, require_admin
from loanflow.api.auth import login_required
from loanflow.api.common import load_body
from loanflow.api.fields import Code, Id, Label
from loanflow.api.idempotency import idempotent

blp = Blueprint("users", __name__, description="Users (admin)")

_REGION = validate.Regexp(r"^(\d{6}|\d{9}|\d{12})$", error="A region code has 6, 9 or 12 digits")


class UserArgs(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=60))
    role = Code(ROLES, load_default=None)
    region = fields.String(load_default=None, validate=_REGION)
    active = fields.Boolean(load_default=None)


class UserIn(Schema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,60}$"))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    role = Code(ROLES, required=True)
    region_code = fields.String(required=True, data_key="region", validate=_REGION)
    branch_id = Id(load_default=None, allow_none=True)
    phone = fields.String(load_default="", validate=validate.Length(max=20))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class UserPatch(Schema):
    full_name = fields.String(validate=validate.Length(min=1, max=60))
    role = Code(ROLES)
    region_code = fields.String(data_key="region", validate=_REGION)
    branch_id = Id(allow_none=True)
    active = fields.Boolean()
    password = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "A new password: the user must change it at the next login"},
    )


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    role_label = Label("role", "role")
    region = fields.String(attribute="region_code")
    region_name = fields.String(attribute="region.name")
    branch_id = fields.Integer(allow_none=True)
    branch_name = fields.Function(lambda u: u.branch.name if u.branch else None)
    active = fields.Boolean()
    must_change_password = fields.Boolean()
    last_login_at = fields.DateTime(allow_none=True)


class UsersOut(Schema):
    items = fields.List(fields.Nested(UserOut))


@blp.route("/users")
class Users(MethodView):
    decorators = [login_required]

    @blp.arguments(UserArgs, location="query")
    @blp.response(200, UsersOut)
    def get(self, args):
        """The users of the admin's county: search by username or name; filter by role, region node, active."""
        return {"items": service.list_users(g.user, **args)}

    @idempotent
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": UserIn}}})
    @blp.response(201, UserOut)
    def post(self):
        """Create a user (the password must be changed at the first login)."""
        require_admin(g.user)
        return create_user(g.user, **load_body(UserIn))


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    decorators = [login_required]

    @blp.response(200, UserOut)
    def get(self, user_id: int):
        """One user."""
        return service.get_user(g.user, user_id)

    @idempotent
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": UserPatch}}})
    @blp.response(200, UserOut)
    def patch(self, user_id: int):
        """Change name, role, region, branch or active (deactivation ends tokens at once); reset the password."""
        service.get_user(g.user, user_id)
        return service.update_user(g.user, user_id, load_body(UserPatch))
