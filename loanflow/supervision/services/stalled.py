"""The stalled queue (限时办结): every case of the caller's region past its stage's due date, most
working days over first, with who must act and the presses so far; the dead ends among them flagged
(``dead_ends`` finds those of the whole region, late or not).

A case is *waiting* while its stage has a due date (the engine sets it when a stage starts and clears
it when the case waits on no one), so the queue needs no list of states. It is *stalled* once a
working day has passed after its due date: its due date is before the last working day up to today.
Working days over grow as the due date gets earlier, so "most over first" is "earliest due date
first": each product is read in the order of its partial index (due date, id) as far as the page
reaches and the two are merged; the page's cases, the people and the presses are then read in one
query each, and only the page's cases are judged for who must act. The total is counted no further
than 1,000 past the page, and a township or village is a code range (``core.scope.code_prefix``), so
what the first page reads is bounded by the page, not by the county.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import exists, func, literal, select, union_all

from loanflow.calendar.services import work_calendar
from loanflow.core import clock, paging
from loanflow.core.domain.workdays import WorkCalendar
from loanflow.core.errors import Forbidden, Msg, msg
from loanflow.core.paging import Count, capped_count
from loanflow.core.regions import Region
from loanflow.core.scope import code_prefix, village_filter
from loanflow.extensions import db
from loanflow.policy.services import current_policy
from loanflow.supervision.cases import PRODUCTS, Product, household_names
from loanflow.supervision.domain.masking import mask_name
from loanflow.supervision.models import Press
from loanflow.supervision.services.acting import Staff, WhoMustAct, who_must_act


def require_supervisor(user: Any) -> None:
    """Supervision's pages and API are the supervisors' (403 for any other role)."""
    if getattr(user, "role", None) != "supervisor":
        raise Forbidden(
            msg("只有督查员可以使用督察督办功能", "Only a supervisor may use supervision", "role")
        )


@dataclass(frozen=True)
class Filters:
    product: str | None = None
    township: str | None = None
    village: str | None = None
    stage: str | None = None
    pressed: bool | None = None


@dataclass
class StalledCase:
    """One row of the stalled queue."""

    case_type: str
    case_id: int
    case_number: str
    household: str  # masked for supervisors
    village_code: str
    village: str
    township_code: str
    township: str
    state: str
    state_kind: str
    due_on: date
    provisional: bool
    working_days_over: int
    who: WhoMustAct
    presses: int
    open_presses: int
    endpoint: str

    @property
    def dead_end(self) -> bool:
        return self.who.dead_end

    @property
    def dead_end_reason(self) -> Msg | None:
        return self.who.reason


def last_working_day(cal: WorkCalendar, today: date) -> date:
    """The latest working day on or before ``today`` (a case is stalled once its due date is before it)."""
    d = today
    while not cal.is_working_day(d):
        d -= timedelta(days=1)
    return d


def _waiting(p: Product, user: Any, f: Filters, before: date | None):
    m = p.model
    stmt = select(
        literal(p.name).label("case_type"),
        m.id.label("case_id"),
        m.stage_due_on.label("due_on"),
    ).where(m.stage_due_on.is_not(None), village_filter(user, m.village_code))
    if before is not None:
        stmt = stmt.where(m.stage_due_on < before)
    if f.village:
        stmt = stmt.where(m.village_code == f.village)
    elif f.township:
        stmt = stmt.where(code_prefix(m.village_code, f.township))
    if f.stage:
        stmt = stmt.where(m.state == f.stage)
    if f.pressed is not None:
        pressed = exists().where(Press.case_type == p.name, Press.case_id == m.id)
        stmt = stmt.where(pressed if f.pressed else ~pressed)
    return stmt


def _union(user: Any, f: Filters, before: date | None):
    parts = [_waiting(p, user, f, before) for p in _products(f)]
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()


def stalled_queue(
    user: Any, f: Filters = Filters(), page: int = 1, per_page: int = 50, today: date | None = None
) -> tuple[list[StalledCase], Count]:
    """One page of the caller's stalled cases, most working days over first, and how many there are:
    counted no further than 1,000 past the page (``core.paging``: "1,050+"), so the first page costs
    the same for a county of ten thousand cases and of a million."""
    require_supervisor(user)
    today = today or clock.today()
    cal = work_calendar()
    before = last_working_day(cal, today)
    rows = _union(user, f, before)
    total = capped_count(select(rows.c.case_id), page=page, per_page=per_page, cap=paging.COUNT_CAP)
    return describe(user, _page_keys(user, f, before, page, per_page), cal, today), total


def _page_keys(user: Any, f: Filters, before: date, page: int, per_page: int) -> list[tuple[str, int]]:
    """The page's cases, most working days over first: each product read in its index's order (due date,
    id) only as far as the page reaches, and merged, so the first page costs the same at any size."""
    reach = page * per_page
    streams = [
        db.session.execute(
            _waiting(p, user, f, before).order_by(p.model.stage_due_on, p.model.id).limit(reach)
        )
        for p in _products(f)
    ]
    merged = heapq.merge(*[list(s) for s in streams], key=lambda r: (r.due_on, r.case_type, r.case_id))
    return [(r.case_type, r.case_id) for r in islice(merged, (page - 1) * per_page, reach)]


def _products(f: Filters) -> list[Product]:
    return [PRODUCTS[f.product]] if f.product else list(PRODUCTS.values())


EXPORT_LIMIT = 20000


def all_stalled(user: Any, f: Filters = Filters(), today: date | None = None) -> list[StalledCase]:
    """The whole filtered queue (for the export), up to ``EXPORT_LIMIT`` rows, most over first."""
    require_supervisor(user)
    today = today or clock.today()
    cal = work_calendar()
    keys = _page_keys(user, f, last_working_day(cal, today), 1, EXPORT_LIMIT)
    return describe(user, keys, cal, today)


def describe(
    user: Any, keys: list[tuple[str, int]], cal: WorkCalendar | None = None, today: date | None = None
) -> list[StalledCase]:
    """The rows of these cases, in this order: the cases, regions, people and presses read once each."""
    today, cal = today or clock.today(), cal or work_calendar()
    cases = {}
    for name, p in PRODUCTS.items():
        loaded = p.load(i for t, i in keys if t == name)
        cases.update({(name, i): c for i, c in loaded.items()})
    found = [cases[k] for k in keys if k in cases]
    staff = Staff(c.village_code[:6] for c in found)
    names = household_names(found)
    regions = _region_names({c.village_code for c in found} | {c.village_code[:9] for c in found})
    presses = press_counts(list(cases))
    policy = current_policy()
    over = _working_days_over(cal, [c.stage_due_on for c in found], today)
    out = []
    for (case_type, case_id), case in ((k, cases[k]) for k in keys if k in cases):
        p = PRODUCTS[case_type]
        now = p.engine.moment(policy=policy, today=today)
        due = case.stage_due_on
        count, open_count = presses.get((case_type, case_id), (0, 0))
        out.append(
            StalledCase(
                case_type=case_type,
                case_id=case_id,
                case_number=p.number(case),
                household=mask_name(names.get(id(case), "")),
                village_code=case.village_code,
                village=regions.get(case.village_code, ""),
                township_code=case.village_code[:9],
                township=regions.get(case.village_code[:9], ""),
                state=case.state,
                state_kind=p.state_kind,
                due_on=due,
                provisional=case.stage_due_provisional,
                working_days_over=over(due),
                who=who_must_act(p, case, staff, now),
                presses=count,
                open_presses=open_count,
                endpoint=p.endpoint,
            )
        )
    return out


def _working_days_over(cal: WorkCalendar, dues: list[date], today: date):
    """How many working days after its due date each case is, the calendar walked once for the page
    (``working_days_between`` per row walks back to each due date again: months for the oldest)."""
    start = min([d for d in dues if d < today], default=today)
    counts, n, d = {start: 0}, 0, start
    while d < today:
        d += timedelta(days=1)
        n += cal.is_working_day(d)
        counts[d] = n
    return lambda due: counts[today] - counts[due] if due < today else 0


def _region_names(codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())


def press_counts(keys: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[int, int]]:
    """(presses, open presses) per case, in one query."""
    out: dict[tuple[str, int], tuple[int, int]] = {}
    for name in PRODUCTS:
        ids = [i for t, i in keys if t == name]
        if not ids:
            continue
        stmt = (
            select(Press.case_id, func.count(), func.count().filter(Press.answered_at.is_(None)))
            .where(Press.case_type == name, Press.case_id.in_(ids))
            .group_by(Press.case_id)
        )
        for case_id, count, open_count in db.session.execute(stmt):
            out[(name, case_id)] = (count, open_count)
    return out
