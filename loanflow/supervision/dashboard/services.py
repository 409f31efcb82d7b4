"""The supervision dashboard (督查看板) and the monthly report (月报): who may see them and for which region.

Only supervisors: a county supervisor sees the county or any of its townships, a township
supervisor only their township (any other region is 404, as if it did not exist).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from loanflow.calendar.services import work_calendar
from loanflow.core import clock
from loanflow.core.domain.money import ZERO
from loanflow.core.errors import Invalid, NotFound, msg
from loanflow.core.regions import Region
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.policy.services import current_policy
from loanflow.subsidies.domain.amounts import cap_period
from loanflow.subsidies.models import SubsidyCase
from loanflow.supervision.dashboard import figures, rollup
from loanflow.supervision.services.stalled import last_working_day, require_supervisor


@dataclass(frozen=True)
class CountAmount:
    count: int
    amount: Decimal


@dataclass(frozen=True)
class TownshipStalled:
    code: str
    name: str
    loans: int
    subsidies: int

    @property
    def total(self) -> int:
        return self.loans + self.subsidies


@dataclass(frozen=True)
class OverdueBand:
    band: str
    count: int
    principal: Decimal


@dataclass(frozen=True)
class StageDuration:
    product: str
    stage: str
    cases: int
    median_working_days: float | None


@dataclass(frozen=True)
class Dashboard:
    """The numbers of one region and period (the page's charts and tables, the API's JSON)."""

    region: Region
    start: date
    end: date
    as_of: date
    loan_states: dict[str, int]
    subsidy_states: dict[str, int]
    stalled: list[TownshipStalled]
    credited: CountAmount
    disbursed: CountAmount
    outstanding: CountAmount
    overdue: list[OverdueBand]
    subsidies_approved: CountAmount
    subsidies_paid: CountAmount
    cap_period: str
    household_cap: Decimal
    cap_households: int
    cap_reserved: Decimal
    cap_households_full: int
    durations: list[StageDuration] = field(default_factory=list)
    eligible_households: int = 0
    households_with_loan: int = 0
    figures_as_of: datetime | None = None  # every change committed before it is counted (None: not built)
    figures_current: bool = True  # no change waits for the rollup's rebuild

    @property
    def cap_total(self) -> Decimal:
        return self.household_cap * self.cap_households

    @property
    def loan_share(self) -> Decimal | None:
        """获贷率: households lent to as a share of eligible households, to 0.1 %."""
        if not self.eligible_households:
            return None
        return (Decimal(100) * self.households_with_loan / self.eligible_households).quantize(Decimal("0.1"))


def region_for(user, code: str | None) -> Region:
    """The county or township asked for (default: the user's own node), if the user's region holds it."""
    code = code or user.region_code
    if not code.isdigit() or len(code) not in (6, 9):
        raise Invalid(
            {"region": [msg("须为县或乡镇代码（6 或 9 位数字）", "must be a county or township code")]}
        )
    region = db.session.get(Region, code)
    if region is None or not code.startswith(user.region_code):
        raise NotFound(msg("没有这个地区，或不在您的辖区内", "No such region in your area"))
    return region


def period_for(start: date | None, end: date | None) -> tuple[date, date]:
    """From 1 January of the business year to today unless given; ``from`` after ``to`` is refused."""
    today = clock.today()
    end = end or today
    start = start or date(end.year, 1, 1)
    if start > end:
        raise Invalid({"from": [msg("开始日期晚于结束日期", "is after the end date")]})
    return start, end


def dashboard(
    user, region_code: str | None = None, start: date | None = None, end: date | None = None
) -> Dashboard:
    """The dashboard of a county or township for a period (督查看板), summed from the per-township rollup
    (``dashboard.rollup``): as current as its ``figures_as_of`` says."""
    require_supervisor(user)
    start, end = period_for(start, end)
    region = region_for(user, region_code)
    fresh = rollup.freshness(region.code)
    if fresh.as_of is None:  # a township never built (just migrated): count the cases, as before the rollup
        return dashboard_from_cases(region, start, end)
    return dashboard_from_rollup(region, start, end, fresh)


@dataclass(frozen=True)
class _PolicyTerms:
    """What the policy in force says the dashboard counts by: the cap's period and amount, and which
    households may borrow (both ways of counting read them here, the same)."""

    cap_period: str
    cap: Decimal
    statuses: list[str]
    monitoring: list[str]

    @classmethod
    def at(cls, end: date) -> _PolicyTerms:
        policy = current_policy()
        return cls(
            cap_period(policy.subsidy["cap_period"], policy.subsidy.get("campaign"), end),
            policy.household_cap,
            policy.loan["admitted_statuses"],
            policy.loan["admitted_monitoring"],
        )


def dashboard_from_rollup(
    region: Region, start: date, end: date, fresh: rollup.Freshness | None = None
) -> Dashboard:
    """The region's numbers summed from its townships' rollup rows."""
    today, prefix, terms = clock.today(), region.code, _PolicyTerms.at(end)
    fresh = fresh or rollup.freshness(prefix)
    period, cap = terms.cap_period, terms.cap
    households, reserved, full = rollup.cap_use(prefix, period, cap)
    eligible, lent_to = rollup.loan_coverage(prefix, end, terms.statuses, terms.monitoring)
    flows = rollup.moved(prefix, start, end)
    durations = []
    for product, stages in (("loan", figures.LOAN_STAGES), ("subsidy", figures.SUBSIDY_STAGES)):
        for stage, *_ in stages:
            got = flows.get(f"{product}.{stage}")
            cases, days = (got.count, got.days) if got else (0, Counter())
            durations.append(StageDuration(product, stage, cases, figures.median_of(days)))
    loan_states, subsidy_states, lent, bands = rollup.stocks(prefix, today)

    def ended(measure: str) -> CountAmount:
        got = flows.get(measure)
        return CountAmount(got.count, got.amount or ZERO) if got else CountAmount(0, ZERO)

    return Dashboard(
        region=region,
        start=start,
        end=end,
        as_of=today,
        loan_states=loan_states,
        subsidy_states=subsidy_states,
        stalled=stalled_from_rollup(prefix, today),
        credited=ended("loan.rated"),  # a loan credited ends its "rated" stage
        disbursed=ended("loan.credited"),  # and disbursed its "credited" one
        outstanding=CountAmount(*lent),
        overdue=[OverdueBand(*band) for band in bands],
        subsidies_approved=CountAmount(*rollup.approvals(flows)),
        subsidies_paid=ended("subsidy.approved"),
        cap_period=period,
        household_cap=cap,
        cap_households=households,
        cap_reserved=reserved,
        cap_households_full=full,
        durations=durations,
        eligible_households=eligible,
        households_with_loan=lent_to,
        figures_as_of=fresh.as_of,
        figures_current=fresh.current,
    )


def dashboard_from_cases(region: Region, start: date, end: date) -> Dashboard:
    """The region's numbers counted from its cases, every one read (``figures``): what the rollup is built
    from and held equal to; too slow for a county of a million cases (bench/README.md)."""
    today, prefix, terms = clock.today(), region.code, _PolicyTerms.at(end)
    period, cap = terms.cap_period, terms.cap
    households, reserved, full = figures.cap_use(prefix, period, cap)
    eligible, lent_to = figures.loan_coverage(prefix, end, terms.statuses, terms.monitoring)
    counter = figures.WorkingDayCounter(work_calendar())
    spans = {(x.product, x.stage): x for x in figures.stage_spans(prefix, start, end)}
    durations = [StageDuration(x.product, x.stage, x.count, counter.median(x.pairs)) for x in spans.values()]
    loan_states, lent, bands = figures.loan_stocks(prefix, today)
    moved = {
        key: CountAmount(x.count, x.amount if x.amount is not None else ZERO) for key, x in spans.items()
    }
    return Dashboard(
        region=region,
        start=start,
        end=end,
        as_of=today,
        loan_states=loan_states,
        subsidy_states=figures.cases_per_state(SubsidyCase, prefix),
        stalled=stalled_by_township(prefix, today),
        credited=moved[("loan", "rated")],
        disbursed=moved[("loan", "credited")],
        outstanding=CountAmount(*lent),
        overdue=[OverdueBand(*band) for band in bands],
        subsidies_approved=CountAmount(*_subsidies(SubsidyCase.approved_on, prefix, start, end)),
        subsidies_paid=moved[("subsidy", "approved")],
        cap_period=period,
        household_cap=cap,
        cap_households=households,
        cap_reserved=reserved,
        cap_households_full=full,
        durations=durations,
        eligible_households=eligible,
        households_with_loan=lent_to,
        figures_as_of=clock.now(),
    )


def _subsidies(column, prefix: str, start: date, end: date) -> tuple[int, Decimal]:
    """Cases approved (or paid) between the dates and not rejected since, with their amounts."""
    return figures.counted(
        column, SubsidyCase.amount, prefix, start, end, SubsidyCase.state.in_(("approved", "disbursed"))
    )


def townships(prefix: str) -> list[Region]:
    """The townships of a region (the township itself for a township code), by code."""
    if len(prefix) == 9:
        return [db.session.get(Region, prefix)]
    return list(
        db.session.scalars(
            select(Region)
            .where(Region.level == "township", Region.parent_code == prefix)
            .order_by(Region.code)
        )
    )


def regions_for(user) -> list[Region]:
    """What a supervisor may choose: their own node, then its townships."""
    own = db.session.get(Region, user.region_code)
    return [own] + ([t for t in townships(own.code)] if own.level == "county" else [])


def stalled_cutoff(today: date) -> date:
    """A case is stalled once its due date is before this day: the stalled queue's rule, so the dashboard,
    the monthly report and the queue count the same cases (a Friday's due date is not stalled on Sunday)."""
    return last_working_day(work_calendar(), today)


def stalled_by_township(prefix: str, today: date) -> list[TownshipStalled]:
    before = stalled_cutoff(today)
    loans = figures.stalled_per_township(Loan, prefix, before)
    subsidies = figures.stalled_per_township(SubsidyCase, prefix, before)
    return [
        TownshipStalled(t.code, t.name, loans.get(t.code, 0), subsidies.get(t.code, 0))
        for t in townships(prefix)
    ]


def stalled_from_rollup(prefix: str, today: date) -> list[TownshipStalled]:
    """``stalled_by_township`` from the rollup (the dashboard's; the monthly report counts the cases)."""
    counts = rollup.stalled_per_township(prefix, stalled_cutoff(today))
    loans, subsidies = counts.get("loan", {}), counts.get("subsidy", {})
    return [
        TownshipStalled(t.code, t.name, loans.get(t.code, 0), subsidies.get(t.code, 0))
        for t in townships(prefix)
    ]


def month_bounds(month: str) -> tuple[date, date]:
    """``2026-11`` → its first and last day; anything else is 422 naming ``month``."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise Invalid({"month": [msg("须为 YYYY-MM 格式的月份", "must be a month as YYYY-MM")]}) from None
    if len(month) != 7 or year < 2000:
        raise Invalid({"month": [msg("须为 YYYY-MM 格式的月份", "must be a month as YYYY-MM")]})
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if first > clock.today():
        raise Invalid({"month": [msg("月份尚未开始", "has not begun yet")]})
    return first, last
