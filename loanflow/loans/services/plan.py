"""The plan in force (还款计划) and its numbered revisions.

Revision 0 is the plan fixed at disbursement. Every later event that changes the
plan — a prepayment, the reversal of a repayment, an extension, a recall — stores
the plan the ledger replays after it as the next revision, with what made it;
earlier revisions stay readable. The plan in force is always the ledger's own
lines (``position_of``), so the page, the API and the 借据 of the latest revision
agree to the fen; the stored lines of the latest revision are the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from loanflow.accounts.models import User
from loanflow.core import clock
from loanflow.core.errors import NotFound, msg
from loanflow.documents import services as documents
from loanflow.extensions import db
from loanflow.loans.domain.ledger import LedgerLine, Position
from loanflow.loans.guards import load_loan
from loanflow.loans.models import Loan, LoanPlanRevision, LoanScheduleLine
from loanflow.loans.services.position import plan_in_force, position_of


def _figures(line: Any) -> tuple:
    return (
        line.seq,
        line.due_date,
        line.opening_principal,
        line.principal,
        line.interest,
        line.subsidy,
        line.household_interest,
        line.rate,
    )


def store_lines(loan_id: int, number: int, lines: Sequence[Any]) -> None:
    """Store the lines of a revision (``LoanScheduleLine``)."""
    db.session.execute(
        insert(LoanScheduleLine),
        [
            dict(
                loan_id=loan_id,
                revision=number,
                seq=line.seq,
                start_date=line.start_date,
                due_date=line.due_date,
                opening_principal=line.opening_principal,
                principal=line.principal,
                interest=line.interest,
                subsidy=line.subsidy,
                household_interest=line.household_interest,
                rate=line.rate,
            )
            for line in lines
        ],
    )


def record_revision(
    actor: User,
    loan: Loan,
    number: int,
    cause: str,
    on: date,
    lines: Sequence[Any],
    repayment_id: int | None = None,
) -> None:
    """Store revision ``number`` of the plan and what made it."""
    db.session.execute(
        insert(LoanPlanRevision).values(
            loan_id=loan.id,
            number=number,
            cause=cause,
            effective_on=on,
            repayment_id=repayment_id,
            recorded_by_id=actor.id,
            recorded_at=clock.now(),
        )
    )
    store_lines(loan.id, number, lines)


def revise_plan(
    actor: User, loan: Loan, pos: Position, cause: str, on: date, repayment_id: int | None = None
) -> dict[str, Any]:
    """When the event changed the plan, store it as the next revision and owe its 借据.

    Returns the loan's changes (the new ``plan_revision``), empty when the plan is unchanged
    (a repayment of what is due, an advance, the reversal of either).
    """
    if [_figures(x) for x in plan_in_force(loan)] == [_figures(x) for x in pos.lines]:
        return {}
    number = loan.plan_revision + 1
    record_revision(actor, loan, number, cause, on, pos.lines, repayment_id)
    documents.owe(actor, "loan", loan.id, "loan_receipt")
    return {"plan_revision": number}


@dataclass(frozen=True)
class PlanLine:
    """A line of a plan; ``paid``/``still_due`` only for the plan in force (None for earlier ones)."""

    seq: int
    start_date: date
    due_date: date
    opening_principal: Decimal
    principal: Decimal
    interest: Decimal
    subsidy: Decimal
    household_interest: Decimal
    rate: Decimal
    paid: Decimal | None = None
    still_due: Decimal | None = None

    @property
    def household_due(self) -> Decimal:
        return self.principal + self.household_interest


@dataclass(frozen=True)
class Plan:
    """A revision of the plan: its number, what made it and when, its lines."""

    loan_id: int
    revision: int
    cause: str
    effective_on: date
    in_force: bool
    lines: tuple[PlanLine, ...]
    revisions: tuple[LoanPlanRevision, ...]


def _from_ledger(line: LedgerLine) -> PlanLine:
    paid = line.principal_paid + line.interest_paid + line.penalty_paid + line.compound_paid
    return PlanLine(
        line.seq,
        line.start_date,
        line.due_date,
        line.opening_principal,
        line.principal,
        line.interest,
        line.subsidy,
        line.household_interest,
        line.rate,
        paid,
        line.unpaid.total,
    )


def _from_stored(line: LoanScheduleLine) -> PlanLine:
    return PlanLine(*_figures(line)[:1], line.start_date, *_figures(line)[1:])


def revisions_of(loan: Loan) -> tuple[LoanPlanRevision, ...]:
    stmt = (
        select(LoanPlanRevision).where(LoanPlanRevision.loan_id == loan.id).order_by(LoanPlanRevision.number)
    )
    return tuple(db.session.scalars(stmt))


def schedule(actor: User, loan_id: int, revision: int | None = None) -> Plan:
    """``GET /loans/{id}/schedule``: the plan of a loan the caller may see; 404 before disbursement."""
    loan = load_loan(actor, loan_id)
    plan = plan_of(loan, revision)
    if plan is None:
        raise NotFound(
            msg("该贷款尚未放款，还没有还款计划", "The loan is not disbursed: it has no plan yet", "plan")
        )
    return plan


def plan_of(loan: Loan, revision: int | None = None) -> Plan | None:
    """The plan in force (the ledger's lines, with paid and still due), or an earlier revision."""
    if loan.disbursed_on is None:
        return None
    revisions = revisions_of(loan)
    number = loan.plan_revision if revision is None else revision
    made = next((r for r in revisions if r.number == number), None)
    if made is None:
        raise NotFound(
            msg(f"该贷款没有第 {number} 版还款计划", f"The loan has no plan revision {number}", "revision")
        )
    in_force = number == loan.plan_revision
    if in_force:
        lines = tuple(_from_ledger(x) for x in position_of(loan).lines)
    else:
        lines = tuple(_from_stored(x) for x in plan_in_force(loan, revision=number))
    return Plan(loan.id, number, made.cause, made.effective_on, in_force, lines, revisions)
