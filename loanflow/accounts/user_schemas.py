"""What ``/users`` takes and shows: the admin's filters, a new user, a change, a user (never a password hash)."""

from __future__ import annotations

from marshmallow import fields, validate

from loanflow.accounts.models import ROLES
from loanflow.api.fields import Code, Id, Label
from loanflow.api.schema import Schema

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
