"""GET /api/v1/audit/verify: are the hash chains whole? (supervisors and admins)."""

from flask import g
from flask_smorest import Blueprint

from loanflow.api.auth import login_required
from loanflow.audit import services as audit
from loanflow.audit.schemas import VerificationOut
from loanflow.core.errors import Forbidden, msg

blp = Blueprint("audit", __name__, description="Audit trail")


@blp.route("/audit/verify")
@login_required
@blp.response(200, VerificationOut)
def verify_audit():
    """Walk every chain and report the first broken link, or that all are whole; the verification is
    recorded (an ``audit.verify`` event of the global chain), so this GET writes: ``audit.init_app``
    names it to ``core.database.writes_on_get``."""
    if g.user.role not in ("supervisor", "admin"):
        raise Forbidden(
            msg("只有督查员或管理员可以核验审计链", "Only a supervisor or admin may verify the audit trail")
        )
    return audit.check(g.user, via="api")
