"""Rebuilding one township's rollup (``dashboard.models``) from its cases, whole.

The source is the dashboard's direct queries (``figures``) restricted to the township, grouped
finer: nothing kept depends on the business date or the policy, so a rebuild is needed only when a
case, household, 公示 or reservation of the township changes, or the calendar does (working days).
A township's rows are replaced in one transaction, after an advisory lock on PostgreSQL so that
two workers rebuilding the same township one after the other never leave both sets of rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select, text

from loanflow.calendar.services import work_calendar
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.subsidies.models import SubsidyCap, SubsidyCase
from loanflow.supervision.dashboard import figures
from loanflow.supervision.dashboard.figures import WorkingDayCounter, in_region
from loanflow.supervision.dashboard.models import (
    ROLLUP_TABLES,
    RollupCap,
    RollupDue,
    RollupFlow,
    RollupHouseholds,
    RollupOverdue,
    RollupStock,
    RollupTownship,
)

APPROVAL = "subsidy.approval"  # approved in the day and not rejected since (``services._subsidies``)


def month_of(day: date) -> date:
    return day.replace(day=1)


def rebuild_township(code: str, built_at: datetime, counter: WorkingDayCounter | None = None) -> None:
    """Replace the township's rows by what its cases add up to now; ``built_at`` is when the rebuild
    began reading (every change committed before it is in the rows). No commit here."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('dashboard_rollup:' || :c))"), {"c": code}
        )
    for table in ROLLUP_TABLES:
        db.session.execute(delete(table).where(table.township == code))
    rows = {
        RollupStock: _stocks(code),
        RollupDue: _due(code),
        RollupOverdue: _overdue(code),
        RollupCap: _caps(code),
        RollupHouseholds: _households(code),
        RollupFlow: _flows(code, counter or WorkingDayCounter(work_calendar())),
    }
    for table, values in rows.items():
        if values:
            db.session.execute(insert(table), values)
    state = db.session.get(RollupTownship, code)
    if state is None:
        db.session.add(RollupTownship(code=code, built_at=built_at, claimed_at=built_at))
    else:
        state.built_at = built_at
    db.session.flush()


def _principal():
    return func.coalesce(Loan.principal_outstanding, Loan.credited_amount)


def _stocks(code: str) -> list[dict]:
    out = []
    for model, product, amount in ((Loan, "loan", func.sum(_principal())), (SubsidyCase, "subsidy", None)):
        cols = [model.state, func.count()] + ([amount] if amount is not None else [])
        stmt = select(*cols).where(in_region(model.village_code, code)).group_by(model.state)
        for r in db.session.execute(stmt):
            principal = r[2] if amount is not None else None
            out.append(
                {"township": code, "product": product, "state": r[0], "cases": r[1], "principal": principal}
            )
    return out


def _due(code: str) -> list[dict]:
    out = []
    for model, product in ((Loan, "loan"), (SubsidyCase, "subsidy")):
        stmt = (
            select(model.stage_due_on, func.count())
            .where(in_region(model.village_code, code), model.stage_due_on.is_not(None))
            .group_by(model.stage_due_on)
        )
        out += [
            {"township": code, "product": product, "due_on": d, "cases": n}
            for d, n in db.session.execute(stmt)
        ]
    return out


def _overdue(code: str) -> list[dict]:
    stmt = (
        select(Loan.overdue_since, func.count(), func.sum(_principal()))
        .where(in_region(Loan.village_code, code), Loan.state == "overdue", Loan.overdue_since.is_not(None))
        .group_by(Loan.overdue_since)
    )
    return [
        {"township": code, "overdue_since": d, "loans": n, "principal": p}
        for d, n, p in db.session.execute(stmt)
    ]


def _caps(code: str) -> list[dict]:
    stmt = (
        select(SubsidyCap.period, SubsidyCap.reserved, func.count())
        .join(Household, Household.id == SubsidyCap.household_id)
        .where(in_region(Household.village_code, code), SubsidyCap.reserved > 0)
        .group_by(SubsidyCap.period, SubsidyCap.reserved)
    )
    return [
        {"township": code, "period": p, "reserved": r, "households": n}
        for p, r, n in db.session.execute(stmt)
    ]


def _households(code: str) -> list[dict]:
    """Each household by status, monitoring and the day its first loan of the township was disbursed."""
    first = (
        select(Loan.household_id, func.min(Loan.disbursed_on).label("lent_on"))
        .where(in_region(Loan.village_code, code), Loan.disbursed_on.is_not(None))
        .group_by(Loan.household_id)
        .subquery()
    )
    stmt = (
        select(Household.status, Household.monitoring, first.c.lent_on, func.count())
        .outerjoin(first, first.c.household_id == Household.id)
        .where(in_region(Household.village_code, code))
        .group_by(Household.status, Household.monitoring, first.c.lent_on)
    )
    months: Counter = Counter()
    out = []
    for status, monitoring, lent_on, n in db.session.execute(stmt):
        months[(status, monitoring, month_of(lent_on) if lent_on else None)] += n
        if lent_on is not None:
            out.append(_household_row(code, "d", status, monitoring, lent_on, n))
    return out + [_household_row(code, "m", s, m, on, n) for (s, m, on), n in months.items()]


def _household_row(code: str, grain: str, status: str, monitoring: str, lent_on: date | None, n: int) -> dict:
    return {
        "township": code,
        "grain": grain,
        "status": status,
        "monitoring": monitoring,
        "lent_on": lent_on,
        "households": n,
    }


def _flows(code: str, counter: WorkingDayCounter) -> list[dict]:
    """Stage ends by end day and working days, and the standing approvals by day; then the same by month."""
    ends = figures.stage_ends(code)
    if ends:
        counter.cover(min(r[2] for r in ends), max(r[3] for r in ends))
    days: dict[tuple, list] = {}
    for product, stage, began, ended, count, amount in ends:
        key = (ended, f"{product}.{stage}", counter.between(began, ended))
        _add(days, key, count, amount)
    approvals = (
        select(SubsidyCase.approved_on, func.count(), func.sum(SubsidyCase.amount))
        .where(
            in_region(SubsidyCase.village_code, code),
            SubsidyCase.approved_on.is_not(None),
            SubsidyCase.state.in_(("approved", "disbursed")),
        )
        .group_by(SubsidyCase.approved_on)
    )
    for on, count, amount in db.session.execute(approvals):
        _add(days, (on, APPROVAL, 0), count, figures._money(amount))
    months: dict[tuple, list] = {}
    for (on, measure, working), (count, amount) in days.items():
        _add(months, (month_of(on), measure, working), count, amount)
    return [
        {
            "township": code,
            "grain": grain,
            "day": on,
            "measure": measure,
            "working_days": working,
            "cases": count,
            "amount": amount,
        }
        for grain, rows in (("d", days), ("m", months))
        for (on, measure, working), (count, amount) in rows.items()
    ]


def _add(rows: dict, key: tuple, count: int, amount) -> None:
    row = rows.setdefault(key, [0, None])
    row[0] += count
    if amount is not None:
        row[1] = amount if row[1] is None else row[1] + amount
