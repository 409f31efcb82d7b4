"""The top of the work queue of those who must act: the presses (督办) on cases they may move now."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext, lazy_gettext

from loanflow.calendar.services import work_calendar
from loanflow.supervision.cases import household_names
from loanflow.supervision.services.presses import presses_for
from loanflow.web.queue import queue_row

POSITION = 0  # first: a press is what the county is waiting for


def pressed_rows(user: Any, today: date) -> list[dict]:
    mine = presses_for(user, today)
    if not mine:
        return []
    cal, names = work_calendar(), household_names([m.case for m in mine])
    rows = []
    for m in mine:
        stage = gettext(
            "Pressed by %(who)s, %(days)s days ago", who=m.press.pressed_by.full_name, days=m.age_days
        )
        row = queue_row(m.endpoint, m.case, m.case_number, names.get(id(m.case), ""), stage, cal, today)
        rows.append({**row, "note": m.press.note, "pressed": True})
    return rows


def queue_section(user: Any, *, today: date, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the pressed cases this user may move now, oldest press first."""
    return POSITION, lazy_gettext("Pressed by the supervision office (督办)"), pressed_rows(user, today)
