"""The calendar pages (admin): each year's holidays and make-up working days; enter or correct a year
from the State Council's notice; what moved when a year was entered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import chinese_calendar
from flask import render_template, request
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from loanflow.calendar.forms import DatesError, dates_in, notice_dates
from loanflow.calendar.models import CalendarYear
from loanflow.calendar.services import YearEntered, enter_year
from loanflow.core import clock
from loanflow.core.errors import Forbidden, Invalid, NotFound, msg
from loanflow.extensions import db
from loanflow.web.blueprint import bp
from loanflow.web.forms import refused

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years the calendar API takes


def _admin() -> None:
    if current_user.role != "admin":
        raise Forbidden(msg("只有系统管理员可以维护节假日", "Only an admin may enter the calendar"))


@dataclass
class YearShown:
    year: int
    source: str  # "entered" | "library" | "provisional"
    holidays: list[date] = field(default_factory=list)
    workdays: list[date] = field(default_factory=list)
    entered_at: Any = None


def _library_year(year: int) -> YearShown | None:
    """A year the calendar library knows: its public holidays' days off, and its make-up working days."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    try:
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        off = [
            d
            for d in days
            if not chinese_calendar.is_workday(d) and chinese_calendar.get_holiday_detail(d)[1]
        ]
        on = [d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    except NotImplementedError:
        return None
    return YearShown(year, "library", off, on)


def years_shown() -> list[YearShown]:
    """The years around today and every year entered, newest first."""
    entered = {r.year: r for r in db.session.scalars(select(CalendarYear))}
    this = clock.today().year
    shown = []
    for year in sorted(set(entered) | {this - 1, this, this + 1}, reverse=True):
        row = entered.get(year)
        if row is not None:
            dates = (
                sorted(map(date.fromisoformat, row.holidays)),
                sorted(map(date.fromisoformat, row.workdays)),
            )
            shown.append(YearShown(year, "entered", *dates, entered_at=row.entered_at))
        else:
            shown.append(_library_year(year) or YearShown(year, "provisional"))
    return shown


@bp.route("/calendar")
@login_required
def calendar_years():
    """Each year: entered from the notice, known to the library, or provisional (statutory days only)."""
    _admin()
    return render_template("calendar/years.html", years=years_shown())


def dates_from_form(form, year: int) -> tuple[list[str], list[str], dict]:
    """The year's days off and make-up days from the two lists, or from the pasted notice."""
    try:
        if (form.get("notice") or "").strip():
            holidays, workdays = notice_dates(form["notice"], year)
        else:
            holidays, workdays = (
                dates_in(form.get("holidays", ""), year),
                dates_in(form.get("workdays", ""), year),
            )
    except DatesError as e:
        return [], [], {"notice": [msg(f"不存在的日期：{e}", f"No such date: {e}")]}
    errors = {} if holidays else {"holidays": [msg("没有读到任何放假日期", "No day off was found")]}
    return [d.isoformat() for d in holidays], [d.isoformat() for d in workdays], errors


# What the provisional dates recomputed are, by the names the features report them under.
RECOMPUTED = {
    "loan_deadlines": lazy_gettext("Loan stage deadlines"),
    "subsidy_deadlines": lazy_gettext("Subsidy stage deadlines"),
    "publicity_periods": lazy_gettext("Publicity periods"),
}


MOVED_WHAT = {
    "stage_due_on": lazy_gettext("Stage deadline"),
    "publicity_end": lazy_gettext("End of publicity"),
    "approval_opens": lazy_gettext("Approval possible from"),
}


@dataclass
class Entered:
    """What entering a year did, as the page shows it (the one place that reads the service's answer)."""

    year: int
    holidays: list[str]
    workdays: list[str]
    counts: dict[str, int]
    moved: list[dict[str, Any]]
    flags: list[dict[str, Any]]


def _row(item: Any, *names: str) -> dict[str, Any]:
    """One moved date or flag as plain values, dates as ISO text."""
    values = {n: getattr(item, n) for n in names}
    return {n: v.isoformat() if isinstance(v, date) else v for n, v in values.items()}


def entered(result: YearEntered) -> Entered:
    """``enter_year``'s answer for the page: the year, how many dates each feature recomputed (named), the
    dates that moved and the subsidies approved inside what is now their 公示."""
    data = result.table.as_dict()
    named = {str(RECOMPUTED.get(k, k)): n for k, n in result.refirmed.items()}
    rows = [_row(m, "case_number", "what", "before", "after", "still_provisional") for m in result.moved]
    for r in rows:
        r["what"] = str(MOVED_WHAT.get(r["what"], r["what"]))
    found = [_row(f, "case_number", "approved_on", "period_end") for f in result.approved_inside_period]
    return Entered(data["year"], data["holidays"], data["workdays"], named, rows, found)


@bp.route("/calendar/<int:year>", methods=["GET", "POST"])
@login_required
def calendar_year(year: int):
    """Enter or correct a year: two lists of dates, or the notice pasted whole; then what moved."""
    _admin()
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound(msg(f"没有 {year} 年的日历", f"No calendar for {year}"))
    shown = next((y for y in years_shown() if y.year == year), None) or YearShown(year, "provisional")
    values = {k: request.form.get(k, "") for k in ("holidays", "workdays", "notice")}
    if request.method == "GET":
        values = {
            "holidays": "\n".join(d.isoformat() for d in shown.holidays),
            "workdays": "\n".join(d.isoformat() for d in shown.workdays),
            "notice": "",
        }
        return render_template("calendar/year.html", shown=shown, values=values, errors={}, result=None)
    holidays, workdays, errors = dates_from_form(request.form, year)
    result = None
    try:
        if errors:
            raise Invalid(errors)
        result = entered(enter_year(current_user, year, holidays, workdays))
        values = {
            "holidays": "\n".join(result.holidays),
            "workdays": "\n".join(result.workdays),
            "notice": "",
        }
    except Invalid as e:
        errors = refused(e)
    page = render_template("calendar/year.html", shown=shown, values=values, errors=errors, result=result)
    return page, 422 if errors else 200
