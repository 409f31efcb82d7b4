"""/api/v1/users: the admin lists, creates and changes users (role, region, branch, active, a password reset)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from loanflow.accounts import users as service
from loanflow.accounts.services import create_user, require_admin
from loanflow.accounts.user_schemas import UserArgs, UserIn, UserOut, UserPatch, UsersOut
from loanflow.api.auth import login_required
from loanflow.api.common import load_body
from loanflow.api.idempotency import idempotent

blp = Blueprint("users", __name__, description="Users (admin)")


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
