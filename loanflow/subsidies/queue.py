"""The subsidies' section of the work queue: what waits for an approver (verify, publicize, approve, pay)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select, union_all
from sqlalchemy.orm import selectinload

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core.domain.labels import label
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.households.models import Member
from loanflow.policy.services import current_policy
from loanflow.subsidies.models import SubsidyCase, SubsidyObjection
from loanflow.subsidies.workflow import allowed_actions
from loanflow.web import queue as web_queue
from loanflow.web.present import lang
from loanflow.web.queue import by_urgency, queue_row

POSITION = 30
SUBSIDY_QUEUE_STATES = {"approver": ("applied", "verified", "publicized", "approved")}
SUBSIDY_QUEUE_ACTIONS = ("verify", "publicize", "approve", "disburse")


def _cases_waiting(user: User, states: tuple[str, ...]) -> list[SubsidyCase]:
    """The cases in ``states`` the user sees, most urgent first, each state cut at the queue's limit.

    Each state's most urgent cases come from the index on (state, deadline) and stop at the limit
    (one statement for all states, a ``UNION ALL``); the cases and what the rows show and the guards
    read (the head's name, the publicity list for approve) follow by primary
    key. The county approver's home sent 207 statements at 100k cases (issue 14); now the same few
    at any size."""
    urgency = (SubsidyCase.stage_due_on.asc().nulls_last(), SubsidyCase.id)
    mine = village_filter(user, SubsidyCase.village_code)
    arms = [
        select(SubsidyCase.id)
        .where(mine, SubsidyCase.state == state)
        .order_by(*urgency)
        .limit(web_queue.QUEUE_LIMIT)
        .subquery()
        for state in states
    ]
    ids = list(db.session.scalars(union_all(*(select(arm.c.id) for arm in arms))))
    if not ids:
        return []
    stmt = (
        select(SubsidyCase)
        .where(SubsidyCase.id.in_(ids))
        .options(selectinload(SubsidyCase.publicity))
        .order_by(*urgency)
    )
    return list(db.session.scalars(stmt))


def _head_names(cases: list[SubsidyCase]) -> dict[int, str]:
    """The name of each case's household head, in one narrow query (not every member of every household)."""
    ids = {c.household_id for c in cases}
    if not ids:
        return {}
    heads = select(Member.household_id, Member.name).where(
        Member.household_id.in_(ids), Member.relation == "head"
    )
    return {household_id: name for household_id, name in db.session.execute(heads)}


def subsidies_waiting(user: User, today: date) -> list[dict]:
    """Subsidy cases waiting for this user's action (verify, publicize, approve, pay out)."""
    states = SUBSIDY_QUEUE_STATES.get(user.role, ())
    if not states:
        return []
    cal, policy, rows = work_calendar(), current_policy(), []
    cases = _cases_waiting(user, states)
    heads = _head_names(cases)
    for state in states:
        allowed = [(c, a) for c in cases if c.state == state for a in allowed_actions(user, c, policy, today)]
        for c, a in [(c, a) for c, a in allowed if a in SUBSIDY_QUEUE_ACTIONS][: web_queue.QUEUE_LIMIT]:
            who = heads.get(c.household_id, "")
            stage = label("subsidy_action", a, lang())
            rows.append(queue_row("web.subsidy", c, c.case_number, who, stage, cal, today))
    return sorted(rows, key=by_urgency)


def queue_section(user: User, *, today: date, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the subsidy cases waiting for this user."""
    return POSITION, lazy_gettext("Subsidies waiting for you"), subsidies_waiting(user, today)


def cases_by_number(user: User, number: str = "", **_kwargs: Any) -> list[tuple]:
    """``cases_by_number``: JB-2026-000013 is case 13 applied for in 2026: a primary-key lookup."""
    m = re.fullmatch(r"JB-(\d{4})-(\d{1,9})", number)
    if not m:
        return []
    stmt = select(SubsidyCase).where(
        SubsidyCase.id == int(m.group(2)), village_filter(user, SubsidyCase.village_code)
    )
    case = db.session.scalar(stmt)
    if case is None or case.applied_on.year != int(m.group(1)):
        return []
    return [(POSITION, case.case_number, case.household_id, "web.subsidy", case.id)]


# --- the clerk's home: their open cases waiting on the poverty office, objections to answer --------------

CLERK_WAITS_ON = {
    "applied": "verify",
    "verified": "publicize",
    "publicized": "approve",
    "approved": "disburse",
}


def _clerk_cases(user: User, *conditions: Any, objections: bool = False) -> list[SubsidyCase]:
    stmt = (
        select(SubsidyCase)
        .where(village_filter(user, SubsidyCase.village_code), *conditions)
        .options(*([selectinload(SubsidyCase.objections)] if objections else []))
        .order_by(SubsidyCase.stage_due_on.is_(None), SubsidyCase.stage_due_on, SubsidyCase.id)
        .limit(web_queue.QUEUE_LIMIT)
    )
    return list(db.session.scalars(stmt))


def clerk_subsidies_waiting(user: User, today: date) -> list[dict]:
    """The subsidy cases this clerk filed that wait on an approver (who does what next, by when)."""
    if user.role != "clerk":
        return []
    cases = _clerk_cases(
        user, SubsidyCase.applied_by_id == user.id, SubsidyCase.state.in_(tuple(CLERK_WAITS_ON))
    )
    sep = "：" if lang() == "zh" else ": "
    cal, who, heads = work_calendar(), label("role", "approver", lang()), _head_names(cases)
    return [
        queue_row(
            "web.subsidy",
            c,
            c.case_number,
            heads.get(c.household_id, ""),
            f"{who}{sep}{label('subsidy_action', CLERK_WAITS_ON[c.state], lang())}",
            cal,
            today,
        )
        for c in cases
    ]


def objections_to_answer(user: User, today: date) -> list[dict]:
    """Cases of the clerk's region an objection sent back to ``applied``: the household answers it."""
    if user.role != "clerk":
        return []
    objected = select(SubsidyObjection.case_id)
    cases = _clerk_cases(user, SubsidyCase.state == "applied", SubsidyCase.id.in_(objected), objections=True)
    cal, rows, heads = work_calendar(), [], _head_names(cases)
    for c in cases:
        last = c.objections[-1] if c.objections else None
        stage = gettext("Objection to answer")
        row = queue_row("web.subsidy", c, c.case_number, heads.get(c.household_id, ""), stage, cal, today)
        rows.append({**row, "note": f"{last.raised_by}：{last.reason}" if last else ""})
    return rows


def clerk_waiting_section(user: User, *, today: date, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the clerk's open subsidy cases waiting on others (who, and by when)."""
    return (
        POSITION + 1,
        lazy_gettext("My subsidy cases waiting on others"),
        clerk_subsidies_waiting(user, today),
    )


def clerk_household_section(user: User, *, today: date, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: subsidy cases needing the household (an objection to answer)."""
    return (
        POSITION + 2,
        lazy_gettext("Subsidy cases needing the household"),
        objections_to_answer(user, today),
    )
