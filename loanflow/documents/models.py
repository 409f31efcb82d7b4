"""Issued documents (出具的文书): the PDF bytes exactly as issued, with their template version and SHA-256.

A document is never changed: issuing again adds the next version of the same
kind for the same case and keeps the earlier ones, so any version can be
downloaded byte for byte as it was handed out.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from loanflow.core.types import UtcDateTime
from loanflow.extensions import db

DOCUMENT_KINDS = (
    "loan_agreement",
    "loan_receipt",
    "extension_agreement",
    "subsidy_notice",
    "publicity_list",
    "household_receipt",
)
CASE_TYPES = ("loan", "subsidy", "publicity")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


class IssuedDocument(db.Model):
    """One version of one kind of document for one case (a loan, a subsidy case, a 公示 list)."""

    __tablename__ = "issued_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    case_type: Mapped[str] = mapped_column(String(10))
    case_id: Mapped[int]
    version: Mapped[int]  # 1, 2, … per (case_type, case_id, kind)
    template_version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    # SHA-256 of what the document shows, its issue date aside: tells whether a list changed since
    view_sha256: Mapped[str] = mapped_column(String(64))
    # loaded only when the bytes are asked for: lists never pull the PDFs
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    __table_args__ = (
        UniqueConstraint("case_type", "case_id", "kind", "version", name="uq_issued_document_version"),
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint(_in("case_type", CASE_TYPES), name="case_type"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("size > 0", name="size"),
        Index("ix_issued_document_case", "case_type", "case_id"),
    )


class OwedDocument(db.Model):
    """A document due at a committed step and not yet rendered (借款合同 at credit, 借据 at disbursement …).

    Written in the step's own transaction, so a step that committed always
    leaves either its document or this row; the row is deleted in the
    transaction that stores the document. Whatever is still owed is rendered
    on the next read of the case's documents or by the background worker.
    """

    __tablename__ = "owed_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    case_type: Mapped[str] = mapped_column(String(10))
    case_id: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    owed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    __table_args__ = (
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint(_in("case_type", CASE_TYPES), name="case_type"),
        Index("ix_owed_document_case", "case_type", "case_id"),
    )
