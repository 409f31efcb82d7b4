"""/api/v1/calendar/years: the admin enters a year's public holidays and make-up working days."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from loanflow.api.auth import login_required
from loanflow.api.common import Shown
from loanflow.api.idempotency import idempotent
from loanflow.calendar.schemas import CalendarYearIn, CalendarYearOut
from loanflow.calendar.services import enter_year

blp = Blueprint("calendar", __name__, description="The working-day calendar (节假日)")


@blp.route("/calendar/years", methods=["POST"])
@login_required
@idempotent
@blp.arguments(CalendarYearIn)
@blp.response(201, CalendarYearOut)
def enter_calendar_year(data):
    """Enter a year's public holidays and make-up working days (admin); provisional dates become firm."""
    table, refirmed = enter_year(
        g.user,
        data["year"],
        [d.isoformat() for d in data["holidays"]],
        [d.isoformat() for d in data["workdays"]],
    )
    return Shown(table, refirmed=refirmed)
