"""The top of the work queue of those who must act: the presses (督办) on cases they may move now."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from loanflow.calendar.services import work_calendar
from loanflow.core.paging import first_kept
from loanflow.core.scope import village_filter
from loanflow.supervision.cases import household_names
from loanflow.supervision.models import Press
from loanflow.supervision.services.acting import may_move
from loanflow.supervision.services.presses import age_days, moment, presses_for, with_cases
from loanflow.web.queue import queue_row

POSITION = 0  # first: a press is what the county is waiting for


def pressed_rows(user: Any, today: date, limit: int) -> list[dict]:
    mine = presses_for(user, today, limit=limit)
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


def queue_section(user: Any, *, today: date, limit: int, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the pressed cases this user may move now, oldest press first."""
    return (
        POSITION,
        lazy_gettext("Pressed by the supervision office (督办)"),
        pressed_rows(user, today, limit),
    )


def clerk_press_rows(user: Any, today: date, limit: int) -> list[dict]:
    """The first ``limit`` open presses on the cases this clerk filed that someone else must move, oldest
    first: the clerk sees what the county is pressing (and may call the bank or the office); those they
    may move are in ``pressed_rows``. Which cases are the clerk's and who may move them is judged after
    SQL; ``first_kept`` reads on past the presses it drops, so the first ``limit`` are right."""
    if getattr(user, "role", None) != "clerk":
        return []
    stmt = (
        select(Press)
        .where(Press.answered_at.is_(None), village_filter(user, Press.village_code))
        .order_by(Press.pressed_at, Press.id)
    )
    cal = work_calendar()

    def on_my_cases(presses: list[Press]) -> list[dict]:
        waiting = [
            (r, p, case)
            for r, p, case in with_cases(presses)
            if case.applied_by_id == user.id
            and not (user.active and may_move(p, user, case, moment(p, today)))
        ]
        names = household_names([case for _r, _p, case in waiting])
        rows = []
        for r, p, case in waiting:
            days = age_days(r, today)
            stage = gettext("Pressed by %(who)s, %(days)s days ago", who=r.pressed_by.full_name, days=days)
            row = queue_row(p.endpoint, case, p.number(case), names.get(id(case), ""), stage, cal, today)
            rows.append({**row, "note": r.note, "pressed": True})
        return rows

    return first_kept(stmt, limit, on_my_cases)


def clerk_press_section(user: Any, *, today: date, limit: int, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: presses on the clerk's cases that others must answer."""
    return POSITION + 1, lazy_gettext("Presses on my cases"), clerk_press_rows(user, today, limit)
