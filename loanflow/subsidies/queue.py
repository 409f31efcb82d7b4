"""The subsidies' section of the work queue: what waits for an approver (verify, publicize, approve, pay)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import Select, select, union_all
from sqlalchemy.orm import selectinload

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core.domain.labels import label
from loanflow.core.paging import first_kept
from loanflow.core.scope import sees_village, village_filter
from loanflow.extensions import db
from loanflow.households.models import Member
from loanflow.policy.services import current_policy
from loanflow.subsidies import rules
from loanflow.subsidies.models import Publicity, SubsidyCase, SubsidyObjection
from loanflow.subsidies.workflow import allowed_actions
from loanflow.web.present import lang
from loanflow.web.queue import queue_row

POSITION = 30
# The state a case waits in → the approver's action that moves it on (DOMAIN.md "States and actions").
WAITING_ACTION = {
    "applied": "verify",
    "verified": "publicize",
    "publicized": "approve",
    "approved": "disburse",
}
SUBSIDY_QUEUE_STATES = {"approver": tuple(WAITING_ACTION)}


def _queue_states(user: User) -> tuple[str, ...]:
    """The states whose action this user's role and level may take (``rules.level_refusal``: a
    township approver approves and pays nothing), so that no state is read only to be dropped."""
    states = SUBSIDY_QUEUE_STATES.get(user.role, ())
    return tuple(s for s in states if rules.level_refusal(user, WAITING_ACTION[s], s) is None)


def _urgency(case: SubsidyCase) -> tuple:
    """The SQL's order in Python: the earliest deadline first, none last, then the case's id."""
    return (case.stage_due_on is None, case.stage_due_on or date.max, case.id)


def _candidates(arm: Select, user: User, state: str, policy: Any, today: date) -> Select:
    """``arm`` (the cases of ``state``) without those its action's guards surely refuse, so that
    they are not read to be dropped: approval waits for the 公示's end (``rules.publicity_over``) and
    is not for the case's verifier (``rules.four_eyes``). The guards stay the judges: a 公示 on a
    year not published yet (provisional) is read, and judged in Python."""
    if state != "publicized":
        return arm
    arm = arm.join(Publicity, SubsidyCase.publicity_id == Publicity.id)
    arm = arm.where(Publicity.approval_opens_on <= today)
    if policy.four_eyes:
        arm = arm.where(SubsidyCase.verified_by_id.is_distinct_from(user.id))
    return arm


def _cases_waiting(
    user: User, states: tuple[str, ...], policy: Any, today: date, batch: int, offset: int = 0
) -> list[SubsidyCase]:
    """The candidates of each of ``states`` the user sees, most urgent first: each state's ``batch``
    after its first ``offset``.

    Each state's most urgent cases come from the index on (state, deadline) and stop at the batch
    (one statement for all states, a ``UNION ALL``); the cases and what the rows show and the guards
    read (the head's name, the publicity list for approve) follow by primary
    key. The county approver's home sent 207 statements at 100k cases (issue 14); now the same few
    at any size."""
    urgency = (SubsidyCase.stage_due_on.asc().nulls_last(), SubsidyCase.id)
    mine = village_filter(user, SubsidyCase.village_code)
    arms = []
    for state in states:
        arm = select(SubsidyCase.id).where(mine, SubsidyCase.state == state)
        arm = _candidates(arm, user, state, policy, today).order_by(*urgency).limit(batch)
        arms.append(select((arm.offset(offset) if offset else arm).subquery().c.id))
    ids = list(db.session.scalars(union_all(*arms) if len(arms) > 1 else arms[0]))
    if not ids:
        return []
    stmt = (
        select(SubsidyCase)
        .where(SubsidyCase.id.in_(ids))
        .options(selectinload(SubsidyCase.publicity))
        .order_by(*urgency)
    )
    return list(db.session.scalars(stmt))


def _waiting_actions(
    user: User, states: tuple[str, ...], policy: Any, today: date, limit: int
) -> list[tuple[SubsidyCase, str]]:
    """Each state's first ``limit`` cases the user may act on now, with the action.

    ``allowed_actions`` (the engine's rule, the one the API reports) judges the candidates SQL read.
    A state whose candidates filled the batch but lost some to it is read on (the next candidates,
    twice as many each time, ``core.paging.first_kept``'s way, here per state so that one statement
    still reads every state) until it has ``limit`` or none are left: so the first ``limit`` are right
    however many were dropped, and "more" on the home is never wrong. SQL leaves out what surely fails
    (``_candidates``), so a second read is rare (a 公示 on a year not published yet).
    """
    found: list[tuple[SubsidyCase, str]] = []
    kept = dict.fromkeys(states, 0)
    reading, offset, batch = states, 0, limit
    while reading:
        cases = _cases_waiting(user, reading, policy, today, batch, offset)
        short = []
        for state in reading:
            read = [c for c in cases if c.state == state]
            acts = [(c, a) for c in read for a in allowed_actions(user, c, policy, today)]
            acts = [(c, a) for c, a in acts if a == WAITING_ACTION[state]]
            found += acts
            kept[state] += len(acts)
            if len(read) == batch and kept[state] < limit:
                short.append(state)
        reading, offset, batch = tuple(short), offset + batch, 2 * batch
    return found


def subsidies_waiting(user: User, today: date, limit: int) -> list[dict]:
    """The first ``limit`` subsidy cases waiting for this user's action (verify, publicize, approve,
    pay out), most urgent first: the first of each state's first ``limit``."""
    states = _queue_states(user)
    if not states:
        return []
    cal, policy = work_calendar(), current_policy()
    acts = sorted(_waiting_actions(user, states, policy, today, limit), key=lambda ca: _urgency(ca[0]))
    acts = acts[:limit]
    heads = _head_names([c for c, _a in acts])
    return [
        queue_row(
            "web.subsidy",
            c,
            c.case_number,
            heads.get(c.household_id, ""),
            label("subsidy_action", a, lang()),
            cal,
            today,
        )
        for c, a in acts
    ]


def _head_names(cases: list[SubsidyCase]) -> dict[int, str]:
    """The name of each case's household head, in one narrow query (not every member of every household)."""
    ids = {c.household_id for c in cases}
    if not ids:
        return {}
    heads = select(Member.household_id, Member.name).where(
        Member.household_id.in_(ids), Member.relation == "head"
    )
    return {household_id: name for household_id, name in db.session.execute(heads)}


def queue_section(user: User, *, today: date, limit: int, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the subsidy cases waiting for this user."""
    return POSITION, lazy_gettext("Subsidies waiting for you"), subsidies_waiting(user, today, limit)


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


def clerk_subsidies_waiting(user: User, today: date, limit: int) -> list[dict]:
    """The subsidy cases this clerk filed that wait on an approver (who does what next, by when).

    Read through ``ix_subsidy_case_clerk_waiting`` in the home's order, first rows only; the region
    is checked on the rows read, as for the clerk's loans (``loans.queue.clerk_loans_waiting``: with
    the village range in SQL the planner misjudged the rows and read and sorted all 2,500)."""
    if user.role != "clerk":
        return []
    stmt = (
        select(SubsidyCase)
        .where(SubsidyCase.applied_by_id == user.id, SubsidyCase.state.in_(tuple(WAITING_ACTION)))
        .order_by(SubsidyCase.stage_due_on.asc().nulls_last(), SubsidyCase.id)
    )
    cases = first_kept(stmt, limit, lambda read: [c for c in read if sees_village(user, c.village_code)])
    sep = "：" if lang() == "zh" else ": "
    cal, who, heads = work_calendar(), label("role", "approver", lang()), _head_names(cases)
    return [
        queue_row(
            "web.subsidy",
            c,
            c.case_number,
            heads.get(c.household_id, ""),
            f"{who}{sep}{label('subsidy_action', WAITING_ACTION[c.state], lang())}",
            cal,
            today,
        )
        for c in cases
    ]


def objections_to_answer(user: User, today: date, limit: int) -> list[dict]:
    """Cases of the clerk's region an objection sent back to ``applied``: the household answers it."""
    if user.role != "clerk":
        return []
    objected = select(SubsidyObjection.case_id)
    stmt = (
        select(SubsidyCase)
        .where(
            village_filter(user, SubsidyCase.village_code),
            SubsidyCase.state == "applied",
            SubsidyCase.id.in_(objected),
        )
        .options(selectinload(SubsidyCase.objections))
        .order_by(SubsidyCase.stage_due_on.asc().nulls_last(), SubsidyCase.id)
        .limit(limit)
    )
    cases = list(db.session.scalars(stmt))
    cal, rows, heads = work_calendar(), [], _head_names(cases)
    for c in cases:
        last = c.objections[-1] if c.objections else None
        stage = gettext("Objection to answer")
        row = queue_row("web.subsidy", c, c.case_number, heads.get(c.household_id, ""), stage, cal, today)
        rows.append({**row, "note": f"{last.raised_by}：{last.reason}" if last else ""})
    return rows


def clerk_waiting_section(user: User, *, today: date, limit: int, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the clerk's open subsidy cases waiting on others (who, and by when)."""
    return (
        POSITION + 1,
        lazy_gettext("My subsidy cases waiting on others"),
        clerk_subsidies_waiting(user, today, limit),
    )


def clerk_household_section(user: User, *, today: date, limit: int, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: subsidy cases needing the household (an objection to answer)."""
    return (
        POSITION + 2,
        lazy_gettext("Subsidy cases needing the household"),
        objections_to_answer(user, today, limit),
    )
