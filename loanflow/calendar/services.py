"""The working-day calendar: the library's years plus the years an admin entered."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.calendar.models import CalendarYear
from loanflow.core import clock, uow
from loanflow.core.domain.workdays import (
    ApprovedInsidePeriod,
    MovedDate,
    Refirmed,
    WorkCalendar,
    YearTable,
)
from loanflow.core.errors import Conflict, Forbidden, Invalid, msg
from loanflow.core.signals import calendar_year_entered
from loanflow.extensions import db


@dataclass(frozen=True)
class YearEntered:
    """What entering (or correcting) a calendar year did; plain data, for the API and the admin's page.

    - ``table``: the year as entered (``YearTable``: ``year``, ``holidays``, ``workdays``);
    - ``created``: True the first time the year is entered, False for a correction;
    - ``refirmed``: how many dates each feature recomputed, ``{"loan_deadlines": 3, "publicity_periods": 1, …}``;
    - ``moved``: every date that changed, one ``MovedDate`` each — ``case_type`` (loan, subsidy,
      publicity), ``case_id``, ``case_number``, ``what`` (``stage_due_on``, ``publicity_end``,
      ``approval_opens``), ``before``, ``after``, ``still_provisional``; ``.as_dict()`` gives JSON;
    - ``approved_inside_period``: subsidies approved on a day the year now puts inside their
      公示 (a flag, 疑点), one ``ApprovedInsidePeriod`` each (``case_number``, ``approved_on``,
      ``period_end``, ``approval_opens``).
    """

    table: YearTable
    created: bool
    refirmed: dict[str, int] = field(default_factory=dict)
    moved: list[MovedDate] = field(default_factory=list)
    approved_inside_period: list[ApprovedInsidePeriod] = field(default_factory=list)


def work_calendar() -> WorkCalendar:
    rows = db.session.scalars(select(CalendarYear))
    return WorkCalendar(
        [YearTable.from_dict({"year": r.year, "holidays": r.holidays, "workdays": r.workdays}) for r in rows]
    )


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a table may be entered for (the lunar tables reach 2100)


def check_may_enter(actor: User | None) -> None:
    """Only an admin keeps the calendar (403); the command line (no actor) may too."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(msg("只有系统管理员可以维护节假日", "Only an admin may enter the calendar"))


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(
            {
                "year": [
                    msg(
                        f"年份须在 {FIRST_YEAR} 至 {LAST_YEAR} 之间",
                        f"The year must be from {FIRST_YEAR} to {LAST_YEAR}",
                    )
                ]
            }
        )


def year_of(actor: User | None, year: int) -> tuple[YearTable, str]:
    """A year's days off and working weekend days, and where they come from (entered, library, provisional)."""
    check_may_enter(actor)
    _check_year(year)
    return work_calendar().year_table(year)


def enter_year(
    actor: User | None, year: int, holidays: list[str], workdays: list[str], *, new: bool = False
) -> YearEntered:
    """An admin enters a year's holidays and make-up days once the State Council publishes them (or corrects one).

    Refusals in DOMAIN.md's order: not an admin (403) → ``new`` and the year was entered
    already (409: correct it with PUT) → a bad table (422). Every date computed on the
    provisional year, and every date of an open case or 公示 that counts days of this year,
    is recomputed in this unit of work; the answer says which moved (see ``YearEntered``).
    """
    check_may_enter(actor)
    row = db.session.get(CalendarYear, year)
    if new and row is not None:
        raise Conflict(
            msg(
                f"{year} 年节假日已录入，如需更正请用 PUT /calendar/years/{year} 修改该年度",
                f"The calendar of {year} was entered already; correct it with PUT /calendar/years/{year}",
            )
        )
    _check_year(year)
    try:
        table = YearTable.from_dict({"year": year, "holidays": holidays, "workdays": workdays})
    except (ValueError, TypeError) as e:
        raise Invalid({"calendar": [msg(f"节假日表有误：{e}", f"Bad calendar: {e}")]}) from e
    before = {"holidays": row.holidays, "workdays": row.workdays} if row else None
    data = table.as_dict()
    created = row is None
    if row is None:
        row = CalendarYear(year=year, entered_at=clock.now())
        db.session.add(row)
    row.holidays, row.workdays = data["holidays"], data["workdays"]
    row.entered_at, row.entered_by_id = clock.now(), getattr(actor, "id", None)
    db.session.flush()
    refirmed = refirm_dates(year)
    audit.record(
        actor,
        "calendar.enter",
        "calendar_year",
        year,
        chain=audit.GLOBAL_CHAIN,
        before=before,
        after={
            "holidays": data["holidays"],
            "workdays": data["workdays"],
            "moved": [m.as_dict() for m in refirmed.moved],
            "approved_inside_period": [f.as_dict() for f in refirmed.approved_inside_period],
        },
    )
    uow.flush()  # the year and every date it firms up, in one unit of work
    return YearEntered(
        table=table,
        created=created,
        refirmed=dict(sorted(refirmed.counts.items())),
        moved=sorted(refirmed.moved, key=lambda m: (m.case_type, m.case_number, m.what)),
        approved_inside_period=refirmed.approved_inside_period,
    )


def refirm_dates(year: int | None = None) -> Refirmed:
    """Recompute every provisional date (loan and subsidy deadlines, 公示 periods) on the calendar as now known,
    and, when ``year`` was corrected, every open date that counts its days.

    The features that hold such dates answer ``calendar_year_entered`` (a ``Refirmed``, or a
    bare ``{what: how many}``); runs in the caller's transaction, nothing is committed here.
    """
    result = Refirmed()
    for _receiver, answer in calendar_year_entered.send(None, calendar=work_calendar(), year=year):
        result.merge(answer)
    return result
