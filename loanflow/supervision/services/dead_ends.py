"""Dead ends (无人可办) of a whole region, found without judging every waiting case of it.

A dead end is a waiting case no active user may move (``acting.who_must_act``), late or not yet.
Judging each waiting case in Python costs a county's every waiting case per request (the home, the
flags). But who may move a case depends on the case through few things: its product and state, where
it is (who sees it), who took the earlier step a four-eyes step is barred to, and the guards of its
moving actions. So the staff's side is judged once per township and state, on a stand-in case placed
at the township itself (seen by the county's and the township's users and the branch serving it, by
no village's) with no earlier actors, with the engine's own ``sees``, roles and refusals. For each
moving action that gives the active users who may take it, and so:

- an unguarded action with two of them, or one and no four-eyes bar: every such case can be moved,
  none is read;
- one of them and a four-eyes bar: only the cases whose earlier actor is that user may be stuck
  (``loan.credited_by_id = <the branch's only officer>``);
- a guarded action: only the cases whose guards may refuse it, by the product's ``guard_refused``
  conditions on the row the guards read (a publicized subsidy whose 公示 is over but whose approval
  has not opened, or is on a year not yet published): those rows are read first (a few 公示 lists);
- nobody at all: every such case.

Each remaining state and place is one range of ``ix_*_waiting_state`` (the waiting cases by state and
village code). Those *candidates*, most overdue first and a bounded number of them, are then judged by
``who_must_act`` (which also says why nobody may), so the screen only has to miss no dead end: an
extra candidate costs time, not a wrong answer.

Assumed, as both products' engines are: refusals other than four eyes depend on the user, the step and
the case's state, not on other columns of the case; and a case waits (has a due date) only in a
state some role may move it on from; and a publicized subsidy has its 公示 list (the publicize action
writes both).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date
from itertools import product
from typing import Any

from sqlalchemy import and_, or_, select, union_all

from loanflow.core import clock
from loanflow.core.paging import Count
from loanflow.core.regions import Region
from loanflow.core.scope import code_prefix
from loanflow.core.workflow import Moment
from loanflow.extensions import db
from loanflow.policy.services import current_policy
from loanflow.supervision.cases import Product
from loanflow.supervision.domain.progress import acting_roles, moving_actions
from loanflow.supervision.services.acting import Staff
from loanflow.supervision.services.stalled import Filters, StalledCase, _products, _waiting, describe

LIMIT = 50  # dead ends listed (the home); the count says "50+" past it
CANDIDATES = 5  # candidates read per product, in multiples of the limit (more: the count is a floor)
REFUSED_ROWS = 1000  # the guards' rows read as keys (more: a subquery)

NEVER = "never"  # nobody may take the action, on any case
OPEN = "open"  # someone may always take it, on every case


@dataclass(frozen=True)
class DeadEnds:
    rows: list[StalledCase]  # most overdue first, at most the limit
    count: Count  # len(rows); ``capped`` when there may be more than listed


def find_dead_ends(
    user: Any, today: date | None = None, f: Filters = Filters(), limit: int = LIMIT
) -> DeadEnds:
    """The caller's dead ends (late or not), most overdue first, up to ``limit``, and whether there are more."""
    today = today or clock.today()
    staff, places, policy = Staff({user.region_code[:6]}), _places(user, f), current_policy()
    reach, streams, full = limit + 1, [], False
    for p in _products(f):
        arms = screen(p, places, staff, p.engine.moment(policy=policy, today=today), f.stage)
        if not arms:
            continue
        # each arm one range of ``ix_*_waiting_state``; the candidates found first (materialized: the
        # planner would otherwise walk the due-date index looking for the few that match), then ordered
        parts = [_waiting(p, user, f, None).where(arm) for arm in arms]
        found = (
            (union_all(*parts) if len(parts) > 1 else parts[0]).cte("candidates").prefix_with("MATERIALIZED")
        )
        stmt = select(found).order_by(found.c.due_on, found.c.case_id).limit(CANDIDATES * reach)
        rows = list(db.session.execute(stmt))
        full |= len(rows) == CANDIDATES * reach
        streams.append(rows)
    keys = [
        (r.case_type, r.case_id)
        for r in heapq.merge(*streams, key=lambda r: (r.due_on, r.case_type, r.case_id))
    ]
    dead: list[StalledCase] = []
    for start in range(0, len(keys), reach):
        dead += [r for r in describe(user, keys[start : start + reach], today=today) if r.dead_end]
        if len(dead) > limit:
            break
    return DeadEnds(dead[:limit], Count(min(len(dead), limit), capped=len(dead) > limit or full))


def dead_ends(
    user: Any, today: date | None = None, f: Filters = Filters(), limit: int = LIMIT
) -> list[StalledCase]:
    """The caller's dead ends, most overdue first, up to ``limit`` (``find_dead_ends`` says if there are more)."""
    return find_dead_ends(user, today, f, limit).rows


def _places(user: Any, f: Filters) -> list[str]:
    """Where the staff is judged: the townships of the caller's region (or of the filter), or one village."""
    code = f.village or f.township or user.region_code
    if len(code) >= 9:
        return [code]
    stmt = select(Region.code).where(Region.level == "township", code_prefix(Region.code, code))
    return list(db.session.scalars(stmt.order_by(Region.code)))


def screen(p: Product, places: list[str], staff: Staff, now: Moment, stage: str | None = None) -> list:
    """Conditions on ``p``'s waiting cases, one per state and place that may hold a dead end (or one per
    state when every place is alike), together keeping every dead end and perhaps a few more."""
    m, table = p.model, p.table
    states = [s for s in ([stage] if stage else table.states) if acting_roles(table, s)]
    roles = {r for s in states for r in acting_roles(table, s)}
    users = [u for r in sorted(roles) for u in staff.by_role.get(r, ()) if u.active]
    stand_ins = {place: p.model(village_code=place) for place in places}
    seen = {place: [u for u in users if p.engine.sees(u, case)] for place, case in stand_ins.items()}
    # the refusals judged without four eyes (the bar is the case's, below): a stand-in has no history
    bare = p.engine.moment(policy=now.policy, today=now.today, four_eyes=False)
    arms: list = []
    refused_rows: dict = {}
    for state in states:
        actions = sorted({a for r in acting_roles(table, state) for a in moving_actions(table, state, r)})
        by_rule: dict[tuple, list[str]] = {}
        for place, case in stand_ins.items():
            case.state = state
            rule = tuple(_refused(p, a, case, seen[place], bare, now.four_eyes) for a in actions)
            if OPEN not in rule:
                by_rule.setdefault(rule, []).append(place)
        for rule, where in by_rule.items():
            stuck = _stuck(p, rule, now.today, refused_rows)
            if stuck is None:
                continue
            if len(where) == len(places):
                arms.append(and_(m.state == state, *stuck))
            else:
                arms += [and_(m.state == state, code_prefix(m.village_code, w), *stuck) for w in where]
    return arms


def _refused(p: Product, action: str, case: Any, seen: list, bare: Moment, four_eyes: bool) -> Any:
    """When nobody may take ``action`` on a case like ``case``: OPEN (never: someone always may), NEVER
    (always), or (guarded action, four-eyes bar): when its guards refuse it, or when the one user left
    is the case's earlier actor.

    ``bare`` judges the refusals without four eyes; ``four_eyes`` says whether the policy bars the
    earlier actor, which the case's own column tells (an SQL condition)."""
    step = p.table.step(action)
    refusals = p.engine.refusals
    able = [u for u in seen if u.role in step.roles and all(r(u, case, step, bare) is None for r in refusals)]
    if not able:
        return NEVER
    bar = None
    if step.not_by_actor_of is not None and four_eyes and len(able) == 1:
        if step.not_by_actor_of not in p.actor_columns:
            return NEVER
        bar = (step.not_by_actor_of, able[0].id)
    guard = None
    if p.engine.guards.get(action):
        if action not in p.guard_refused or p.guard_join is None:
            return NEVER
        guard = action
    return OPEN if guard is None and bar is None else (guard, bar)


def _stuck(p: Product, rule: tuple, today: date, refused_rows: dict) -> list | None:
    """The conditions under which every action of ``rule`` (``_refused`` answers, none OPEN) is refused,
    or None when no case meets them. The four-eyes bars are conditions on the case's columns; the
    guards', on the row ``guard_join`` reaches: those rows are read first, once per set of guards (the
    公示 lists still short of approval, by ``ix_publicity_approval``), and the cases are then those
    naming one of them — a planner guessing the rows of a join may otherwise read every publicized case."""
    fk = p.guard_join[0] if p.guard_join is not None else None

    def refused_by(guards: tuple[str, ...]) -> Any:
        """The joined rows on which all these guards may refuse: each guard's alternatives combined, one
        index range each (``ix_publicity_approval``; ``ix_publicity_provisional``). Their keys when they
        are a few; past ``REFUSED_ROWS`` (every 公示 list that ended, when no county approver is left
        to approve), the subquery itself: then nearly every case of the state is a dead end anyway."""
        if guards not in refused_rows:
            pk = p.guard_join[1]
            arms = [select(pk).where(*c) for c in product(*(p.guard_refused[g](today) for g in guards))]
            stmt = union_all(*arms) if len(arms) > 1 else arms[0]
            keys = list(db.session.scalars(select(stmt.subquery()).limit(REFUSED_ROWS + 1)))
            refused_rows[guards] = sorted(set(keys)) if len(keys) <= REFUSED_ROWS else stmt
        return refused_rows[guards]

    on_case, guards = [], []
    for key in rule:
        if key == NEVER:
            continue
        guard, bar = key
        barred = p.actor_columns[bar[0]] == bar[1] if bar is not None else None
        if guard is not None and barred is not None:
            on_case.append(or_(barred, fk.in_(refused_by((guard,)))))
        elif guard is not None:
            guards.append(guard)
        else:
            on_case.append(barred)
    if guards:
        rows = refused_by(tuple(sorted(guards)))
        if isinstance(rows, list) and not rows:
            return None
        on_case.append(fk.in_(rows))
    return on_case
