"""The policy versions: published whole, never changed."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanflow.core.types import JSONType, UtcDateTime
from loanflow.extensions import db


class PolicyVersion(db.Model):
    """One published version of the policy document; versions are never changed."""

    __tablename__ = "policy_version"
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    document: Mapped[dict] = mapped_column(JSONType)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    effective_on: Mapped[date | None]  # None: in force from its publication
    published_by = relationship("User")
