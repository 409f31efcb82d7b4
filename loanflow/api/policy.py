"""GET /api/v1/policy (the version in force), its versions, and publishing a new one (admin)."""

from flask import g, request
from flask_smorest import Blueprint

from loanflow.api.auth import login_required
from loanflow.services.errors import Invalid, msg
from loanflow.services.policy import current_policy, list_versions, policy_version, publish_policy

blp = Blueprint("policy", __name__, description="The versioned policy")


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
@login_required
def post_policy():
    """Publish a new version from a whole JSON document (admin); a bad document is refused whole."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("document"), dict):
        raise Invalid(
            {
                "document": [
                    msg("须提交完整的政策文件 document", "a whole policy 'document' object is required")
                ]
            }
        )
    policy = publish_policy(g.user, body["document"], str(body.get("note", "")))
    return _policy_json(policy), 201
