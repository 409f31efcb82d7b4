"""Background jobs: who started what, where it stands, its result or its errors."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from loanflow.core.types import JSONType, UtcDateTime
from loanflow.extensions import db

JOB_STATES = ("queued", "running", "done", "failed")
ACTIVE = "state in ('queued', 'running')"


class Job(db.Model):
    """One piece of long work. At most one active job of a kind per ``lock_key`` (one import per county)."""

    __tablename__ = "job"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    lock_key: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(10))
    done: Mapped[int] = mapped_column(default=0)  # rows (or units) handled so far
    total: Mapped[int | None]  # known once counted
    params: Mapped[dict] = mapped_column(JSONType)
    result: Mapped[dict | None] = mapped_column(JSONType)
    errors: Mapped[dict | None] = mapped_column(JSONType)  # a problem body: detail, errors, report
    payload_name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # the upload, dropped when done
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (
        CheckConstraint(f"state in {JOB_STATES}", name="state"),
        Index(
            "uq_job_active",
            "kind",
            "lock_key",
            unique=True,
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
    )
