"""/api/v1/regions and /api/v1/branches: the region tree and the branches serving its townships (admin)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from loanflow.accounts.services import require_admin
from loanflow.admin import services
from loanflow.admin.schemas import (
    BranchesOut,
    BranchIn,
    BranchOut,
    BranchPatch,
    RegionIn,
    RegionOut,
    RegionPatch,
    TreeOut,
)
from loanflow.api.auth import login_required
from loanflow.api.common import load_body
from loanflow.api.idempotency import idempotent

blp = Blueprint("admin", __name__, description="Regions and branches (admin)")


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
    services.region_of(g.user, code)  # 403, 404 before the body is read (422)
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
    services.branch_of(g.user, branch_id)  # 403, 404 before the body is read (422)
    return _with_officers([services.update_branch(g.user, branch_id, load_body(BranchPatch))])[0]
