"""The dashboard's figures read from the per-township rollup (``dashboard.models``), not from the cases.

Each function answers what its namesake in ``figures`` answers, for a county or a township, by summing
the rows of the region's townships: a county's dashboard reads a few thousand rows whatever the number of
its cases. ``tests/supervision/dashboard/test_rollup.py`` holds them equal to the direct queries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select, type_coerce

from loanflow.core import clock
from loanflow.core.domain.labels import codes
from loanflow.core.domain.money import ZERO
from loanflow.core.types import Money
from loanflow.extensions import db
from loanflow.supervision.dashboard.build import APPROVAL, month_of
from loanflow.supervision.dashboard.figures import LENT_STATES, OVERDUE_BANDS, in_region
from loanflow.supervision.dashboard.models import (
    RollupCap,
    RollupDue,
    RollupFlow,
    RollupHouseholds,
    RollupOverdue,
    RollupStock,
    RollupTownship,
)


@dataclass(frozen=True)
class Moved:
    """One measure of a period: how many ended, the amount they moved (None: no amount), their working days."""

    count: int
    amount: Decimal | None
    days: Counter


def stocks(prefix: str, today: date) -> tuple[dict[str, int], dict[str, int], tuple[int, Decimal], list]:
    """Loans and subsidies per state; loans lent and what they owe; overdue loans by days overdue today."""
    rows = db.session.execute(
        select(
            RollupStock.product,
            RollupStock.state,
            func.sum(RollupStock.cases),
            func.sum(RollupStock.principal),
        )
        .where(in_region(RollupStock.township, prefix))
        .group_by(RollupStock.product, RollupStock.state)
    ).all()
    states = {p: {s: n for product, s, n, _ in rows if product == p and n} for p in ("loan", "subsidy")}
    lent = [(n, owed) for product, s, n, owed in rows if product == "loan" and s in LENT_STATES]
    outstanding = (sum(n for n, _ in lent), sum((owed or ZERO for _, owed in lent), ZERO))
    overdue = db.session.execute(
        select(RollupOverdue.overdue_since, func.sum(RollupOverdue.loans), func.sum(RollupOverdue.principal))
        .where(in_region(RollupOverdue.township, prefix))
        .group_by(RollupOverdue.overdue_since)
    ).all()
    bands = []
    for name, low, high in OVERDUE_BANDS:
        hit = [
            (n, owed)
            for since, n, owed in overdue
            if since <= today - timedelta(days=low)
            and (high is None or since >= today - timedelta(days=high))
        ]
        bands.append((name, sum(n for n, _ in hit), sum((owed or ZERO for _, owed in hit), ZERO)))
    return states["loan"], states["subsidy"], outstanding, bands


def stalled_per_township(prefix: str, before: date) -> dict[str, dict[str, int]]:
    """Waiting cases due before ``before`` (the stalled queue's cut-off), per township and product."""
    out: dict[str, dict[str, int]] = {}
    for town, product, n in db.session.execute(
        select(RollupDue.township, RollupDue.product, func.sum(RollupDue.cases))
        .where(in_region(RollupDue.township, prefix), RollupDue.due_on < before)
        .group_by(RollupDue.township, RollupDue.product)
    ):
        out.setdefault(product, {})[town] = n
    return out


def cap_use(prefix: str, period: str, cap: Decimal) -> tuple[int, Decimal, int]:
    """Households holding a reservation against the cap of ``period``, the sum reserved, those at the cap."""
    n = RollupCap.households
    households, reserved, full = db.session.execute(
        select(
            func.sum(n),
            type_coerce(func.sum(RollupCap.reserved * n), Money()),
            func.sum(case((RollupCap.reserved >= cap, n), else_=0)),
        ).where(in_region(RollupCap.township, prefix), RollupCap.period == period)
    ).one()
    return households or 0, reserved or ZERO, full or 0


def loan_coverage(prefix: str, end: date, statuses: list[str], monitoring: list[str]) -> tuple[int, int]:
    """Eligible households (register status or monitoring admitted) and those of them lent to by ``end``."""
    where = [in_region(RollupHouseholds.township, prefix)]
    if not set(statuses) >= set(codes("status")):
        where.append(or_(RollupHouseholds.status.in_(statuses), RollupHouseholds.monitoring.in_(monitoring)))
    total = func.sum(RollupHouseholds.households)
    eligible = db.session.scalar(select(total).where(*where, RollupHouseholds.grain == "m"))
    first = month_of(end)
    lent = db.session.scalar(
        select(total).where(
            *where,
            or_(
                and_(RollupHouseholds.grain == "m", RollupHouseholds.lent_on < first),
                and_(
                    RollupHouseholds.grain == "d",
                    RollupHouseholds.lent_on >= first,
                    RollupHouseholds.lent_on <= end,
                ),
            ),
        )
    )
    return eligible or 0, lent or 0


def period_parts(start: date, end: date) -> list[tuple[str, date, date]]:
    """The period as rows to read: ``(grain, first, last)`` — its whole months, the days at its edges."""
    first_whole = start if start.day == 1 else _next_month(start)
    after_whole = month_of(end) if _next_month(end) - timedelta(days=1) != end else _next_month(end)
    if first_whole >= after_whole:
        return [("d", start, end)]
    parts = [("m", first_whole, month_of(after_whole - timedelta(days=1)))]
    if start < first_whole:
        parts.append(("d", start, first_whole - timedelta(days=1)))
    if after_whole <= end:
        parts.append(("d", after_whole, end))
    return parts


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def moved(prefix: str, start: date, end: date) -> dict[str, Moved]:
    """Per measure (``loan.rated`` … ``subsidy.approved``, ``subsidy.approval``): what ended in the period."""
    counts: Counter = Counter()
    amounts: dict[str, Decimal] = {}
    days: dict[str, Counter] = {}
    for grain, first, last in period_parts(start, end):
        stmt = (
            select(
                RollupFlow.measure,
                RollupFlow.working_days,
                func.sum(RollupFlow.cases),
                func.sum(RollupFlow.amount),
            )
            .where(
                RollupFlow.grain == grain,
                RollupFlow.day >= first,
                RollupFlow.day <= last,
                in_region(RollupFlow.township, prefix),
            )
            .group_by(RollupFlow.measure, RollupFlow.working_days)
        )
        for measure, working, n, amount in db.session.execute(stmt):
            counts[measure] += n
            days.setdefault(measure, Counter())[working] += n
            if amount is not None:
                amounts[measure] = amounts.get(measure, ZERO) + amount
    return {m: Moved(counts[m], amounts.get(m), days[m]) for m in counts}


def approvals(flows: dict[str, Moved]) -> tuple[int, Decimal]:
    got = flows.get(APPROVAL)
    return (got.count, got.amount or ZERO) if got else (0, ZERO)


@dataclass(frozen=True)
class Freshness:
    """How current the region's rollup is: ``as_of`` every change committed before it is counted
    (None: some township was never built); ``current``: no change is waiting for a rebuild."""

    as_of: datetime | None
    current: bool


def freshness(prefix: str) -> Freshness:
    rows = db.session.execute(
        select(RollupTownship.dirty_since, RollupTownship.claimed_at, RollupTownship.built_at).where(
            in_region(RollupTownship.code, prefix)
        )
    ).all()
    behind = [
        built
        for dirty, claimed, built in rows
        if dirty is not None or built is None or (claimed is not None and built < claimed)
    ]
    if not behind:
        return Freshness(clock.now(), True)
    return Freshness(None if any(b is None for b in behind) else min(behind), False)
