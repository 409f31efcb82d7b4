"""Issued documents of loans, subsidy cases and 公示 lists: list, download the stored bytes, issue again."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, g, request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from loanflow.api.auth import checked_first, login_required
from loanflow.api.idempotency import idempotent
from loanflow.api.schema import Schema
from loanflow.core.domain.labels import label
from loanflow.documents import registry
from loanflow.documents import services as service
from loanflow.documents.models import IssuedDocument
from loanflow.documents.schemas import PDF, DocumentListOut, DocumentOut

blp = Blueprint(
    "documents", __name__, description="Issued documents (借款合同, 借据, 展期协议, 通知, 公示, 回执)"
)


class IssueIn(Schema):
    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "loan_agreement, loan_receipt, extension_agreement, subsidy_notice"},
    )


def _case_no(case_type: str, case_id: int) -> str:
    case = service.load_case(g.user, case_type, case_id)
    return registry.case_type(case_type).number(case)


def pdf_response(doc: IssuedDocument, case_no: str) -> Response:
    """Exactly the stored bytes; the Chinese file name per RFC 6266/5987; ETag = the stored SHA-256."""
    name = f"{label('document_kind', doc.kind)}-{case_no}-v{doc.version}.pdf"
    fallback = f"{doc.kind}-{case_no}-v{doc.version}.pdf"
    resp = Response(doc.content, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    )
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-cache"
    resp.set_etag(doc.sha256)
    return resp.make_conditional(request)


def _list(case_type: str, case_id: int) -> dict:
    docs = service.list_documents(g.user, case_type, case_id)
    return {"items": docs, "total": len(docs)}


def _download(case_type: str, case_id: int, document_id: int) -> Response:
    doc = service.get_document(g.user, case_type, case_id, document_id)
    return pdf_response(doc, _case_no(case_type, case_id))


@blp.route("/loans/<int:loan_id>/documents")
@login_required
@blp.response(200, DocumentListOut)
def loan_documents(loan_id: int):
    """Every issued version of the loan's documents: kind, version, SHA-256, template version, link."""
    return _list("loan", loan_id)


@blp.route("/loans/<int:loan_id>/documents", methods=["POST"])
@login_required
@idempotent
@checked_first(lambda user, loan_id: service.may_issue_for(user, "loan", loan_id))
@blp.arguments(IssueIn)
@blp.response(201, DocumentOut)
def issue_loan_document(data, loan_id: int):
    """Issue a loan document again (a new version; earlier versions stay downloadable)."""
    return service.issue_for_loan(g.user, loan_id, data["kind"])


@blp.route("/loans/<int:loan_id>/documents/<int:document_id>")
@login_required
@blp.response(200, PDF, content_type="application/pdf", description="The stored PDF")
@blp.alt_response(304, description="Not modified (the ETag matched)")
def loan_document(loan_id: int, document_id: int):
    """The stored PDF, byte for byte as issued."""
    return _download("loan", loan_id, document_id)


@blp.route("/subsidies/<int:case_id>/documents")
@login_required
@blp.response(200, DocumentListOut)
def subsidy_documents(case_id: int):
    """Every issued version of the subsidy case's documents."""
    return _list("subsidy", case_id)


@blp.route("/subsidies/<int:case_id>/documents", methods=["POST"])
@login_required
@idempotent
@checked_first(lambda user, case_id: service.may_issue_for(user, "subsidy", case_id))
@blp.arguments(IssueIn)
@blp.response(201, DocumentOut)
def issue_subsidy_document(data, case_id: int):
    """Issue a subsidy document again (a new version)."""
    return service.issue_for_subsidy(g.user, case_id, data["kind"])


@blp.route("/subsidies/<int:case_id>/documents/<int:document_id>")
@login_required
@blp.response(200, PDF, content_type="application/pdf", description="The stored PDF")
@blp.alt_response(304, description="Not modified (the ETag matched)")
def subsidy_document(case_id: int, document_id: int):
    """The stored PDF, byte for byte as issued."""
    return _download("subsidy", case_id, document_id)


@blp.route("/loans/<int:loan_id>/receipt", methods=["POST"])
@login_required
@idempotent
@blp.response(201, DocumentOut)
def loan_receipt(loan_id: int):
    """回执 for the household: case number, what happens next, by when, whom to ask."""
    return service.issue_household_receipt(g.user, "loan", loan_id)


@blp.route("/subsidies/<int:case_id>/receipt", methods=["POST"])
@login_required
@idempotent
@blp.response(201, DocumentOut)
def subsidy_receipt(case_id: int):
    """回执 for the household of a subsidy case."""
    return service.issue_household_receipt(g.user, "subsidy", case_id)


@blp.route("/publicity/<int:publicity_id>/pdf")
@login_required
@blp.response(200, PDF, content_type="application/pdf", description="The stored PDF")
@blp.alt_response(304, description="Not modified (the ETag matched)")
def publicity_pdf(publicity_id: int):
    """The village 公示 list as it stands (names, industry, quantity, amount — nothing personal)."""
    doc = service.issue_publicity_list(g.user, publicity_id)
    return pdf_response(doc, _case_no("publicity", publicity_id))
