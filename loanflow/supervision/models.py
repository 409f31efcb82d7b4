"""Presses (督办), spot-check samples (暗访抽查) and their findings.

A press or a sampled case names its case by type and id (``loan`` / ``subsidy``), with the
village copied beside it so that the supervisor's region filter needs no join.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanflow.core.types import UtcDateTime
from loanflow.extensions import db

CASE_TYPES = ("loan", "subsidy")
RESULTS = ("fine", "problem")


class Press(db.Model):
    """A supervisor presses a case (督办) with a note; the first move of the case answers it."""

    __tablename__ = "press"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(String(10))
    case_id: Mapped[int]
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    state: Mapped[str] = mapped_column(String(30))  # the case's state when pressed
    note: Mapped[str] = mapped_column(String(1000))
    pressed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    pressed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answer_action: Mapped[str | None] = mapped_column(String(40))
    pressed_by = relationship("User", foreign_keys=[pressed_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    __table_args__ = (
        CheckConstraint("case_type in ('loan', 'subsidy')", name="case_type"),
        Index("ix_press_case", "case_type", "case_id"),
        # the open presses: what the work queues and the home's count read
        Index(
            "ix_press_open",
            "village_code",
            postgresql_where=text("answered_at is null"),
            sqlite_where=text("answered_at is null"),
        ),
        Index("ix_press_pressed_at", "pressed_at"),
    )

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class SpotCheck(db.Model):
    """A drawn sample: region, product, cases opened between two dates, size and seed (暗访抽查)."""

    __tablename__ = "spot_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    product: Mapped[str] = mapped_column(String(10))
    opened_from: Mapped[date] = mapped_column(Date)
    opened_to: Mapped[date] = mapped_column(Date)
    size: Mapped[int]
    seed: Mapped[str] = mapped_column(String(40))
    population: Mapped[int]  # how many cases it was drawn from
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    drawn_at: Mapped[datetime] = mapped_column(UtcDateTime)
    drawn_by = relationship("User")
    items: Mapped[list["SpotCheckItem"]] = relationship(
        back_populates="spot_check", order_by="SpotCheckItem.position", cascade="all, delete-orphan"
    )
    __table_args__ = (
        CheckConstraint("product in ('loan', 'subsidy', 'all')", name="product"),
        CheckConstraint("size >= 1", name="size"),
    )


class SpotCheckItem(db.Model):
    """One sampled case, in the order drawn, with its finding (fine / problem) and, for a problem, its closing."""

    __tablename__ = "spot_check_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_check.id"))
    position: Mapped[int]
    case_type: Mapped[str] = mapped_column(String(10))
    case_id: Mapped[int]
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    result: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(1000), default="")
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    close_note: Mapped[str] = mapped_column(String(1000), default="")
    spot_check: Mapped[SpotCheck] = relationship(back_populates="items")
    __table_args__ = (
        UniqueConstraint("spot_check_id", "position"),
        UniqueConstraint("spot_check_id", "case_type", "case_id"),
        CheckConstraint("result is null or result in ('fine', 'problem')", name="result"),
        CheckConstraint("case_type in ('loan', 'subsidy')", name="case_type"),
        # the open problems: what the supervisor's home counts
        Index(
            "ix_spot_check_item_open_problem",
            "village_code",
            postgresql_where=text("result = 'problem' and closed_at is null"),
            sqlite_where=text("result = 'problem' and closed_at is null"),
        ),
    )

    @property
    def open_problem(self) -> bool:
        return self.result == "problem" and self.closed_at is None


# The indexes supervision's reads need on the tables of the products and the audit trail, declared
# here (beside the queries they serve) so that the other features' models stay as they are.
def _waiting_index(table, name: str) -> Index:
    """The waiting cases in the stalled queue's order (due date, id), the village carried in the index so
    that the region filter and the count are index-only scans on PostgreSQL."""
    return Index(
        name,
        table.c.stage_due_on,
        table.c.id,
        postgresql_include=["village_code"],
        postgresql_where=table.c.stage_due_on.is_not(None),
        sqlite_where=table.c.stage_due_on.is_not(None),
    )


def _waiting_where_index(table, name: str) -> Index:
    """The waiting cases by place (village code, then due date): a township's or a village's stalled
    page and its count read only that place's waiting cases, as a code range (``core.scope.code_prefix``)."""
    return Index(
        name,
        table.c.village_code,
        table.c.stage_due_on,
        table.c.id,
        postgresql_where=table.c.stage_due_on.is_not(None),
        sqlite_where=table.c.stage_due_on.is_not(None),
    )


def _waiting_state_index(table, name: str, *carried: str) -> Index:
    """The waiting cases by state and place: each condition of the dead-end screen (``services.dead_ends``)
    is one range of it, however many cases of that state are not waiting (the repaid, the paid); it
    carries what the conditions and the answer read (the four-eyes actor, the 公示 list), so that
    they are index-only scans, which the planner takes whatever it guesses of a state's waiting cases."""
    return Index(
        name,
        table.c.state,
        table.c.village_code,
        postgresql_include=["stage_due_on", "id", *carried],
        postgresql_where=table.c.stage_due_on.is_not(None),
        sqlite_where=table.c.stage_due_on.is_not(None),
    )


def _extra_indexes() -> None:
    from loanflow.audit.models import AuditEvent
    from loanflow.loans.models import Loan
    from loanflow.subsidies.models import Publicity, SubsidyCase

    _waiting_index(Loan.__table__, "ix_loan_waiting_due")
    _waiting_index(SubsidyCase.__table__, "ix_subsidy_case_waiting_due")
    _waiting_where_index(Loan.__table__, "ix_loan_waiting_place")
    _waiting_where_index(SubsidyCase.__table__, "ix_subsidy_case_waiting_place")
    _waiting_state_index(Loan.__table__, "ix_loan_waiting_state", "credited_by_id")
    _waiting_state_index(
        SubsidyCase.__table__, "ix_subsidy_case_waiting_state", "verified_by_id", "publicity_id"
    )
    # the 公示 lists still short of approval, and the provisional ones: where a publicized case may be
    # stuck between its two guards (the dead-end screen's subquery on ``publicity``)
    p = Publicity.__table__
    Index("ix_publicity_approval", p.c.approval_opens_on, postgresql_include=["end_on", "id"])
    Index(
        "ix_publicity_provisional", p.c.end_on, postgresql_where=p.c.provisional, sqlite_where=p.c.provisional
    )
    Index("ix_audit_event_chain_time", AuditEvent.__table__.c.chain, AuditEvent.__table__.c.occurred_at)
    Index("ix_audit_event_actor_id", AuditEvent.__table__.c.actor_id)


_extra_indexes()
