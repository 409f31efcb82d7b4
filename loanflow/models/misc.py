"""Idempotency records and the policy versions."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loanflow.extensions import db
from loanflow.models.types import JSONType, UtcDateTime


class IdempotencyRecord(db.Model):
    """The first answer to a POST with an ``Idempotency-Key``, replayed to retries."""

    __tablename__ = "idempotency_record"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PolicyVersion(db.Model):
    """One published version of the policy document; versions are never changed."""

    __tablename__ = "policy_version"
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    document: Mapped[dict] = mapped_column(JSONType)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
