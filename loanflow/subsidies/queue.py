"""The subsidies' section of the work queue: what waits for an approver (verify, publicize, approve, pay)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import select, union_all
from sqlalchemy.orm import selectinload

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core.domain.labels import label
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.households.models import Member
from loanflow.policy.services import current_policy
from loanflow.subsidies.models import SubsidyCase
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
            rows.append(queue_row("web.subsidy", c, f"#{c.id}", who, stage, cal, today))
    return sorted(rows, key=by_urgency)


def queue_section(user: User, *, today: date, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the subsidy cases waiting for this user."""
    return POSITION, lazy_gettext("Subsidies waiting for you"), subsidies_waiting(user, today)
