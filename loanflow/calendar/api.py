"""/api/v1/calendar/years: the admin enters (or corrects) a year's public holidays and make-up working days.

The role is checked before the body is read: 403 → 409 → 422, as DOMAIN.md orders them.
"""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from loanflow.api.auth import login_required
from loanflow.api.common import load_body
from loanflow.api.idempotency import idempotent
from loanflow.calendar import services
from loanflow.calendar.schemas import CalendarYearIn, CalendarYearOut, CalendarYearPut, CalendarYearShown

blp = Blueprint("calendar", __name__, description="The working-day calendar (节假日)")


def _enter(year: int, data: dict, *, new: bool):
    return services.enter_year(
        g.user,
        year,
        [d.isoformat() for d in data["holidays"]],
        [d.isoformat() for d in data["workdays"]],
        new=new,
    )


@blp.route("/calendar/years", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": CalendarYearIn}}})
@login_required
@idempotent
@blp.response(201, CalendarYearOut)
def enter_calendar_year():
    """Enter a year's public holidays and make-up working days (admin); the dates that moved are listed."""
    services.check_may_enter(g.user)
    data = load_body(CalendarYearIn)
    return _enter(data["year"], data, new=True)


@blp.route("/calendar/years/<int:year>", methods=["PUT"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": CalendarYearPut}}})
@login_required
@idempotent
@blp.response(200, CalendarYearOut)
def correct_calendar_year(year: int):
    """Enter or correct one year (admin); every date counted on it is recomputed and the moves listed."""
    services.check_may_enter(g.user)
    return _enter(year, load_body(CalendarYearPut), new=False)


@blp.route("/calendar/years/<int:year>", methods=["GET"])
@login_required
@blp.response(200, CalendarYearShown)
def get_calendar_year(year: int):
    """A year's weekday holidays and working weekend days: entered, from the library, or provisional."""
    table, source = services.year_of(g.user, year)
    return {"year": year, "holidays": table.holidays, "workdays": table.workdays, "source": source}
