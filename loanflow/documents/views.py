"""Documents on the case pages: download an issued PDF, print a receipt for the household."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from loanflow.core.scope import can_see_full_identity
from loanflow.documents import registry
from loanflow.documents import services as service
from loanflow.documents.api import pdf_response
from loanflow.web import bp

CASE_PAGES = {"loan": "web.loan", "subsidy": "web.subsidy"}


def case_documents(case_type: str, case_id: int) -> list:
    """The case's issued documents for its page, newest version of each kind first."""
    return service.list_documents(current_user, case_type, case_id)


def document_access(case_type: str) -> dict:
    """What the user may do with a case's documents on its page: which kinds stay closed to them
    (whole ID number and account), and whether they may print the household's receipt."""
    kinds = registry.case_type(case_type)
    closed = set() if can_see_full_identity(current_user) else set(kinds.whole_identity)
    return {"closed": closed, "may_issue": current_user.role in kinds.issuers}


@bp.route("/documents/<string:case_type>/<int:case_id>/<int:document_id>")
@login_required
def download_document(case_type: str, case_id: int, document_id: int):
    """The stored bytes of one issued document, exactly as issued."""
    if case_type not in CASE_PAGES:
        abort(404)
    case = service.load_case(current_user, case_type, case_id)
    doc = service.get_document(current_user, case_type, case_id, document_id)
    return pdf_response(doc, getattr(case, "case_number", None) or f"{case_type}-{case_id}")


@bp.route("/documents/<string:case_type>/<int:case_id>/receipt", methods=["POST"])
@login_required
def issue_receipt(case_type: str, case_id: int):
    """Print a receipt (回执) for the household: the case number, what happens next, by when, whom to ask."""
    if case_type not in CASE_PAGES:
        abort(404)
    doc = service.issue_household_receipt(current_user, case_type, case_id)
    flash(_("The receipt is ready to print."), "ok")
    return redirect(
        url_for("web.download_document", case_type=case_type, case_id=case_id, document_id=doc.id)
    )
