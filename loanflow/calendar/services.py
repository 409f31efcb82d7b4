"""The working-day calendar: the library's years plus the years an admin entered."""

from __future__ import annotations

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.calendar.models import CalendarYear
from loanflow.core import clock, uow
from loanflow.core.domain.workdays import WorkCalendar, YearTable
from loanflow.core.errors import Forbidden, Invalid, msg
from loanflow.core.signals import calendar_year_entered
from loanflow.extensions import db


def work_calendar() -> WorkCalendar:
    rows = db.session.scalars(select(CalendarYear))
    return WorkCalendar(
        [YearTable.from_dict({"year": r.year, "holidays": r.holidays, "workdays": r.workdays}) for r in rows]
    )


def enter_year(
    actor: User | None, year: int, holidays: list[str], workdays: list[str]
) -> tuple[YearTable, dict[str, int]]:
    """An admin enters a year's holidays and make-up days once the State Council publishes them.

    Every provisional date is then recomputed; returns the table and how many dates were.
    """
    if actor is not None and actor.role != "admin":
        raise Forbidden(msg("只有系统管理员可以维护节假日", "Only an admin may enter the calendar"))
    try:
        table = YearTable.from_dict({"year": year, "holidays": holidays, "workdays": workdays})
    except (ValueError, TypeError) as e:
        raise Invalid({"calendar": [msg(f"节假日表有误：{e}", f"Bad calendar: {e}")]}) from e
    row = db.session.get(CalendarYear, year)
    before = {"holidays": row.holidays, "workdays": row.workdays} if row else None
    data = table.as_dict()
    if row is None:
        row = CalendarYear(year=year, entered_at=clock.now())
        db.session.add(row)
    row.holidays, row.workdays = data["holidays"], data["workdays"]
    row.entered_at, row.entered_by_id = clock.now(), getattr(actor, "id", None)
    audit.record(
        actor,
        "calendar.enter",
        "calendar_year",
        year,
        chain=audit.GLOBAL_CHAIN,
        before=before,
        after={"holidays": data["holidays"], "workdays": data["workdays"]},
    )
    refirmed = refirm_dates()
    uow.flush()  # the year and every date it firms up, in one unit of work
    return table, refirmed


def refirm_dates() -> dict[str, int]:
    """Recompute every provisional date (loan and subsidy deadlines, 公示 periods) on the calendar as now known.

    The features that hold such dates answer ``calendar_year_entered``; runs in the
    caller's transaction, nothing is committed here. Returns how many dates each recomputed.
    """
    counts: dict[str, int] = {}
    for _receiver, refirmed in calendar_year_entered.send(None, calendar=work_calendar()):
        counts.update(refirmed)
    return dict(sorted(counts.items()))
