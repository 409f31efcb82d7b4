"""Loan stage deadlines firmed up when a calendar year is entered (``calendar_year_entered``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select, update

from loanflow.core.domain.workdays import MovedDate, Refirmed, WorkCalendar
from loanflow.extensions import db
from loanflow.loans.models import Loan


def refirm_loan_deadlines(
    _sender: Any, *, calendar: WorkCalendar, year: int | None = None, **_kwargs: Any
) -> Refirmed:
    """A loan stage is due its N working days after it started; N was fixed when the stage began.

    Recomputes the provisional deadlines, and those counting days of ``year`` when it was
    corrected; reports each one that moved. Runs in the transaction of the calendar entry;
    nothing is committed here.
    """
    which = Loan.stage_due_provisional.is_(True)
    if year is not None:
        which = or_(
            which,
            and_(
                Loan.stage_due_on.is_not(None),
                Loan.stage_started_on <= date(year, 12, 31),
                Loan.stage_due_on >= date(year, 1, 1),
            ),
        )
    out, loans = Refirmed(), Loan.__table__
    stmt = select(Loan.id, Loan.case_number, Loan.stage_started_on, Loan.stage_days, Loan.stage_due_on).where(
        which, Loan.stage_days.is_not(None), Loan.stage_started_on.is_not(None)
    )
    rows = db.session.execute(stmt).all()
    for loan_id, number, started, days, before in rows:
        due = calendar.add_working_days(started, days)
        if due.date != before:
            out.moved.append(
                MovedDate("loan", loan_id, number, "stage_due_on", before, due.date, due.provisional)
            )
        db.session.execute(
            update(loans)
            .where(loans.c.id == loan_id)
            .values(stage_due_on=due.date, stage_due_provisional=due.provisional)
        )
    out.counts["loan_deadlines"] = len(rows)
    return out
