"""/api/v1/regions and /api/v1/branches: the region tree and the branches serving its townships (admin)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from loanflow.accounts.services import require_admin
from loanflow.admin import services
from loanflow.api.auth import login_required
from loanflow.api.common import load_body
from loanflow.api.idempotency import idempotent

blp = Blueprint("admin", __name__, description="Regions and branches (admin)")

_CODE = validate.Regexp(r"^(\d{6}|\d{9}|\d{12})$", error="A region code has 6, 9 or 12 digits")
_TOWNSHIP = validate.Regexp(r"^\d{9}$", error="A township code has 9 digits")


class RegionIn(Schema):
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))


class RegionPatch(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    code = fields.String(metadata={"description": "Codes never change: another code than the node's is 409"})


class RegionOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent = fields.String(attribute="parent_code", allow_none=True)


class NodeOut(Schema):
    code = fields.String(attribute="region.code")
    name = fields.String(attribute="region.name")
    level = fields.String(attribute="region.level")
    branch_id = fields.Function(lambda n: n.branch.id if n.branch else None)
    problem = fields.Boolean(metadata={"description": "A township no branch serves"})
    children = fields.List(fields.Nested(lambda: NodeOut()))


class TreeOut(Schema):
    items = fields.List(fields.Nested(NodeOut))


class BranchIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    bank = fields.String(required=True, validate=validate.Length(min=1, max=100))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    townships = fields.List(fields.String(validate=_TOWNSHIP), load_default=list)


class BranchPatch(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    bank = fields.String(validate=validate.Length(min=1, max=100))
    address = fields.String(validate=validate.Length(max=200))
    townships = fields.List(fields.String(validate=_TOWNSHIP))


class BranchOut(Schema):
    id = fields.Integer()
    name = fields.String()
    bank = fields.String()
    address = fields.String()
    townships = fields.List(fields.String(), attribute="township_codes")
    active_officers = fields.Integer()


class BranchesOut(Schema):
    items = fields.List(fields.Nested(BranchOut))


def _with_officers(items: list) -> list[dict]:
    counts = services.active_officers([b.id for b in items])
    return [
        {
            **services.branch_snapshot(b),
            "id": b.id,
            "township_codes": b.township_codes,
            "active_officers": counts.get(b.id, 0),
        }
        for b in items
    ]


@blp.route("/regions")
class Regions(MethodView):
    decorators = [login_required]

    @blp.response(200, TreeOut)
    def get(self):
        """The admin's county as a tree; a township no branch serves is marked ``problem``."""
        return {"items": services.region_tree(g.user)}

    @idempotent
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": RegionIn}}})
    @blp.response(201, RegionOut)
    def post(self):
        """Add a township (9 digits) or village (12) under its parent; a code in use is 409."""
        require_admin(g.user)
        data = load_body(RegionIn)
        return services.add_region(g.user, data["code"], data["name"])


@blp.route("/regions/<code>", methods=["PATCH"])
@login_required
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": RegionPatch}}})
@blp.response(200, RegionOut)
def patch_region(code: str):
    """Rename a node (its code never changes: 409)."""
    require_admin(g.user)
    data = load_body(RegionPatch)
    return services.rename_region(g.user, code, data["name"], data.get("code"))


@blp.route("/branches")
class Branches(MethodView):
    decorators = [login_required]

    @blp.response(200, BranchesOut)
    def get(self):
        """The branches of the admin's county, the townships each serves, how many active officers."""
        return {"items": _with_officers(services.branches(g.user))}

    @idempotent
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": BranchIn}}})
    @blp.response(201, BranchOut)
    def post(self):
        """Add a branch serving some townships (each township has one branch)."""
        require_admin(g.user)
        return _with_officers([services.add_branch(g.user, **load_body(BranchIn))])[0]


@blp.route("/branches/<int:branch_id>", methods=["PATCH"])
@login_required
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": BranchPatch}}})
@blp.response(200, BranchOut)
def patch_branch(branch_id: int):
    """Rename a branch, change its bank or address, or the townships it serves."""
    require_admin(g.user)
    return _with_officers([services.update_branch(g.user, branch_id, load_body(BranchPatch))])[0]
