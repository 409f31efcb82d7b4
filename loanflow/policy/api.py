"""GET /api/v1/policy (the version in force), its versions, and publishing a new one (admin)."""

from flask import g
from flask_smorest import Blueprint

from loanflow.api.auth import login_required, roles_first
from loanflow.api.common import load_body
from loanflow.policy.schemas import PolicyDiffOut, PolicyIn, PolicyOut, PolicyVersionsOut
from loanflow.policy.services import (
    compare_versions,
    current_policy,
    list_versions,
    policy_version,
    publish_policy,
)

blp = Blueprint("policy", __name__, description="The versioned policy")


@blp.route("/policy")
@login_required
@blp.response(200, PolicyOut)
def get_policy():
    """The policy in force: every parameter, scorecard, purposes, industries and rates."""
    return current_policy()


@blp.route("/policy/versions")
@login_required
@blp.response(200, PolicyVersionsOut)
def get_versions():
    """Every published version, oldest first."""
    return {"items": list_versions()}


@blp.route("/policy/versions/<int:version>")
@login_required
@blp.response(200, PolicyOut)
def get_version(version: int):
    """One version, as it was published (old versions stay readable)."""
    return policy_version(version)


@blp.route("/policy/versions/<int:a>/diff/<int:b>")
@login_required
@blp.response(200, PolicyDiffOut)
def get_diff(a: int, b: int):
    """What changed from version ``a`` to version ``b``, parameter by parameter."""
    old, new, changes = compare_versions(a, b)
    return {"a": old, "b": new, "changes": changes}


@blp.route("/policy", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": PolicyIn}}})
@login_required
@roles_first("admin")
@blp.response(201, PolicyOut)
def post_policy():
    """Publish a new version from a whole JSON document (admin); a bad document is refused whole."""
    data = load_body(PolicyIn)
    return publish_policy(g.user, data["document"], data["note"], data["effective_on"])
