"""Loan stage deadlines firmed up when a calendar year is entered (``calendar_year_entered``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from loanflow.core.domain.workdays import WorkCalendar
from loanflow.extensions import db
from loanflow.loans.models import Loan


def refirm_loan_deadlines(_sender: Any, *, calendar: WorkCalendar, **_kwargs: Any) -> dict[str, int]:
    """A loan stage is due its N working days after it started; N was fixed when the stage began.

    Runs in the transaction of the calendar entry; nothing is committed here.
    """
    count, loans = 0, Loan.__table__
    stmt = select(Loan.id, Loan.stage_started_on, Loan.stage_days).where(
        Loan.stage_due_provisional.is_(True), Loan.stage_days.is_not(None), Loan.stage_started_on.is_not(None)
    )
    for loan_id, started, days in db.session.execute(stmt).all():
        due = calendar.add_working_days(started, days)
        db.session.execute(
            update(loans)
            .where(loans.c.id == loan_id)
            .values(stage_due_on=due.date, stage_due_provisional=due.provisional)
        )
        count += 1
    return {"loan_deadlines": count}
