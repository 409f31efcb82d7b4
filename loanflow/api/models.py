"""The stored answers to POSTs with an Idempotency-Key."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loanflow.core.types import UtcDateTime
from loanflow.extensions import db


class IdempotencyRecord(db.Model):
    """The first answer to a POST with an ``Idempotency-Key``, replayed to retries."""

    __tablename__ = "idempotency_record"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
