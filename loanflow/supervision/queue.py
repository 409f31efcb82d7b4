"""The top of the work queue of those who must act: the presses (督办) on cases they may move now."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from loanflow.calendar.services import work_calendar
from loanflow.core import clock
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.supervision.cases import PRODUCTS, household_names
from loanflow.supervision.models import Press
from loanflow.supervision.services.presses import presses_for
from loanflow.web.queue import QUEUE_LIMIT, queue_row

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


def clerk_press_rows(user: Any, today: date) -> list[dict]:
    """Open presses on the cases this clerk filed that someone else must move: the clerk sees what the
    county is pressing (and may call the bank or the office); those they may move are in ``pressed_rows``."""
    if getattr(user, "role", None) != "clerk":
        return []
    mine = {(m.press.case_type, m.press.case_id) for m in presses_for(user, today)}
    open_presses = list(
        db.session.scalars(
            select(Press)
            .where(Press.answered_at.is_(None), village_filter(user, Press.village_code))
            .order_by(Press.pressed_at, Press.id)
            .limit(QUEUE_LIMIT)
        )
    )
    cal, rows = work_calendar(), []
    for name, p in PRODUCTS.items():
        cases = p.load({r.case_id for r in open_presses if r.case_type == name})
        names = household_names(cases.values())
        for r in open_presses:
            case = cases.get(r.case_id) if r.case_type == name else None
            if case is None or case.applied_by_id != user.id or (name, r.case_id) in mine:
                continue
            age = (today - r.pressed_at.astimezone(clock.SHANGHAI).date()).days
            stage = gettext("Pressed by %(who)s, %(days)s days ago", who=r.pressed_by.full_name, days=age)
            row = queue_row(p.endpoint, case, p.number(case), names.get(id(case), ""), stage, cal, today)
            rows.append({**row, "note": r.note, "pressed": True})
    return rows


def clerk_press_section(user: Any, *, today: date, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: presses on the clerk's cases that others must answer."""
    return POSITION + 1, lazy_gettext("Presses on my cases"), clerk_press_rows(user, today)
