"""The loan's position (贷款余额与欠款), replayed when read: never stored, so never stale.

``domain.ledger`` replays the terms fixed at credit and disbursement and the
loan's events (extensions, live repayments, a recall) as of a date. Read by the
money actions, the case guards (``loans.guards``), the sweep, claims and the
documents; it writes nothing and imports no service, so the guards can use it
without an import cycle.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from loanflow.calendar.services import work_calendar
from loanflow.core import clock
from loanflow.core.domain.workdays import WorkCalendar
from loanflow.extensions import db
from loanflow.loans.domain.ledger import Extension, LedgerEvent, LoanTerms, Position, Recall, position
from loanflow.loans.domain.ledger import Repayment as Paid
from loanflow.loans.models import Loan, LoanPlanRevision, LoanScheduleLine, Repayment


def loan_terms(loan: Loan) -> LoanTerms:
    """The terms the ledger replays from: fixed at credit (rates) and disbursement (date)."""
    return LoanTerms(
        amount=loan.credited_amount,
        annual_rate=loan.rate,
        disbursed_on=loan.disbursed_on,
        term_months=loan.credited_term_months,
        method=loan.method,
        subsidy_ratio=loan.subsidy_ratio,
        penalty_rate=loan.penalty_rate,
        compound_rate=loan.compound_rate,
    )


def extension_events(loan: Loan) -> list[Extension]:
    return [
        Extension(
            date=date.fromisoformat(e["date"]),
            new_maturity=date.fromisoformat(e["new_maturity"]),
            new_rate=Decimal(e["new_rate"]),
            subsidy_continues=bool(e["subsidy_continues"]),
            penalty_rate=Decimal(e["penalty_rate"]),
            compound_rate=Decimal(e["compound_rate"]),
        )
        for e in loan.extension_events or []
    ]


def repayments_of(loan_id: int, *, live_only: bool = False) -> list[Repayment]:
    """The loan's repayments in the order they were paid and recorded; reversed ones too unless
    ``live_only`` (they stay, marked). The one read of the repayments list: pages, API, ledger."""
    stmt = select(Repayment).where(Repayment.loan_id == loan_id)
    if live_only:
        stmt = stmt.where(Repayment.reversed_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Repayment.paid_on, Repayment.id)))


def plan_in_force(loan: Loan, revision: int | None = None) -> list[LoanScheduleLine]:
    """The stored lines of the plan in force (revision 0 at disbursement, then one per change:
    ``services.plan``), or of an earlier ``revision``. The one read of the stored lines."""
    number = loan.plan_revision if revision is None else revision
    stmt = (
        select(LoanScheduleLine)
        .where(LoanScheduleLine.loan_id == loan.id, LoanScheduleLine.revision == number)
        .order_by(LoanScheduleLine.seq)
    )
    return list(db.session.scalars(stmt))


def revision_made(loan: Loan, number: int) -> LoanPlanRevision | None:
    """What made revision ``number`` of the loan's plan (disbursement, prepayment …), and when."""
    return db.session.scalar(
        select(LoanPlanRevision).where(LoanPlanRevision.loan_id == loan.id, LoanPlanRevision.number == number)
    )


def ledger_events(loan: Loan, repayments: list[Repayment] | None = None) -> list[LedgerEvent]:
    """Extensions, then repayments, then the recall: the ledger keeps this order within a day."""
    rows = repayments_of(loan.id, live_only=True) if repayments is None else repayments
    events: list[LedgerEvent] = list(extension_events(loan))
    events += [Paid(r.paid_on, r.amount, r.id, r.prepay) for r in rows]
    if loan.recalled_on is not None:
        events.append(Recall(loan.recalled_on))
    return events


def position_of(
    loan: Loan,
    as_of: date | None = None,
    *,
    events: list[LedgerEvent] | None = None,
    calendar: WorkCalendar | None = None,
) -> Position | None:
    """The loan's position as of ``as_of`` (the business date); None before disbursement."""
    if loan.disbursed_on is None:
        return None
    as_of = max(as_of or clock.today(), loan.disbursed_on)
    cal = calendar or work_calendar()
    replayed = ledger_events(loan) if events is None else events
    return position(loan_terms(loan), replayed, as_of, cal.is_working_day)
