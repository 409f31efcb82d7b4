"""Exactly once: a request under a key (an API ``Idempotency-Key``, a page form's one-time token)
does its work once, and every retry gets the first answer.

The key and its answer are written by the unit of work in the same transaction
as the effect (``uow`` stores the answer just before it commits a successful
request), so after any crash a retry finds either the finished answer or
nothing done — there is no claim that could outlive its request.

While the first attempt runs, its key is held by a lock of its transaction:
on PostgreSQL a transaction-level advisory lock taken with
``pg_try_advisory_xact_lock`` (never waits; released by the commit, the
rollback, or the death of the connection), so a concurrent retry is answered
at once with 409 and ``Retry-After``. On SQLite every writing request begins
with ``BEGIN IMMEDIATE`` (``core.database``), so a retry waits for the first
attempt's commit as any write does, and then finds its answer. Should the lock
ever be lost mid-request (a service that ends its own read transaction), the
primary key of the stored answer still refuses a second one: the unit of work
undoes the effect and replays the first answer.

Only answers below 400 are stored. A refusal wrote nothing, so running it
again does nothing twice; and a 409 (a lost race, the state moved on) must not
be fixed to the key, or the client could never retry it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Response, g, make_response
from sqlalchemy import ForeignKey, String, Text, delete, select, text
from sqlalchemy.orm import Mapped, mapped_column

from loanflow.core import clock
from loanflow.core.types import UtcDateTime
from loanflow.extensions import db

RETRY_AFTER_SECONDS = 1
KEEP_ANSWERS = timedelta(days=30)  # a retry comes within minutes; a month is plenty
_PENDING = "loanflow_once_pending"


class IdempotencyRecord(db.Model):
    """The first answer to a request under a key, replayed to its retries."""

    __tablename__ = "idempotency_record"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Busy(Exception):
    """The first attempt under this key is still running: answer 409 with ``Retry-After``."""


class KeyReused(Exception):
    """The key was used for another request (another body): 422."""


@dataclass(frozen=True)
class Pending:
    user_id: int
    key: str
    digest: str


def _lock_id(user_id: int, key: str) -> int:
    raw = hashlib.sha256(f"{user_id}\0{key}".encode()).digest()[:8]
    return int.from_bytes(raw, "big", signed=True)


def _take(user_id: int, key: str) -> bool:
    """Hold the key for this transaction without waiting (PostgreSQL); elsewhere writes are serial."""
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    return bool(
        db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": _lock_id(user_id, key)})
    )


def stored(user_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        .execution_options(populate_existing=True)
    )


def begin(user_id: int, key: str, digest: str) -> IdempotencyRecord | None:
    """Start the work under ``key``: the stored answer of a finished first attempt, or None to go on.

    Raises ``Busy`` while a first attempt runs, ``KeyReused`` for another request under the key.
    Going on, the unit of work stores this request's answer with its effect.
    """
    found = stored(user_id, key)
    if found is None:
        if not _take(user_id, key):
            raise Busy(key)
        found = stored(user_id, key)  # committed between the look and the lock
    if found is not None:
        if found.request_hash != digest:
            raise KeyReused(key)
        return found
    setattr(g, _PENDING, Pending(user_id, key, digest))
    return None


def pending() -> Pending | None:
    return g.get(_PENDING)


def forget() -> None:
    g.pop(_PENDING, None)


def record(response: Response) -> IdempotencyRecord | None:
    """Add the answer of the pending key to the unit of work (called by ``uow`` before it commits)."""
    p = g.pop(_PENDING, None)
    if p is None:
        return None
    answer = IdempotencyRecord(
        user_id=p.user_id,
        key=p.key,
        request_hash=p.digest,
        status_code=response.status_code,
        response_body=None if response.direct_passthrough else response.get_data(as_text=True),
        content_type=(response.content_type or "")[:100] or None,
        location=(response.headers.get("Location") or "")[:500] or None,
        created_at=clock.now(),
    )
    db.session.add(answer)
    return answer


def replay(found: IdempotencyRecord) -> Response:
    """The stored answer again, marked ``Idempotent-Replayed``."""
    resp = make_response(found.response_body or "", found.status_code or 200)
    if found.content_type:
        resp.headers["Content-Type"] = found.content_type
    if found.location:
        resp.headers["Location"] = found.location
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def forget_old_answers(older_than: timedelta = KEEP_ANSWERS) -> int:
    """Delete stored answers older than ``older_than`` (a periodic job); the caller commits."""
    gone = db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < clock.now() - older_than)
    )
    return gone.rowcount
