"""GET /api/v1/policy (the version in force), its versions, and publishing a new one (admin)."""

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from loanflow.api.auth import login_required
from loanflow.api.common import load_body
from loanflow.policy.services import current_policy, list_versions, policy_version, publish_policy

blp = Blueprint("policy", __name__, description="The versioned policy")


class PolicyIn(Schema):
    """A new version: the whole document (GET /policy's shape without ``version``) and why it was published."""

    document = fields.Dict(
        required=True,
        metadata={
            "description": "The whole policy: sections loan, subsidy and deadlines, as GET /policy shows"
        },
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))


def _policy_json(policy) -> dict:
    return {"version": policy.version, **policy.document}


@blp.route("/policy")
@login_required
def get_policy():
    """The policy in force: every parameter, scorecard, purposes, industries and rates."""
    return _policy_json(current_policy())


@blp.route("/policy/versions")
@login_required
def get_versions():
    """Every published version, oldest first."""
    return {
        "items": [
            {"version": v.version, "published_at": v.published_at.isoformat(), "note": v.note}
            for v in list_versions()
        ]
    }


@blp.route("/policy/versions/<int:version>")
@login_required
def get_version(version: int):
    """One version, as it was published (old versions stay readable)."""
    return _policy_json(policy_version(version))


@blp.route("/policy", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": PolicyIn}}})
@login_required
def post_policy():
    """Publish a new version from a whole JSON document (admin); a bad document is refused whole."""
    data = load_body(PolicyIn)
    policy = publish_policy(g.user, data["document"], data["note"])
    return _policy_json(policy), 201
