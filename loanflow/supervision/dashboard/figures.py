"""The dashboard's and the monthly report's numbers: one aggregate query each, over a region code range.

Every query keeps the rows of one region by a code *range* (``village_code >= '341503'
and < '341504'``), which a plain B-tree index serves whatever the database's collation
(``LIKE 'prefix%'`` needs a pattern-ops index under C.UTF-8). Money comes back as
``Decimal`` (the columns' type converts the summed fen). Stocks (cases per stage, stalled,
outstanding, overdue) are as of the business date; flows (credited, disbursed, approved,
paid, stage durations) are what happened between two dates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from loanflow.core.domain.labels import codes
from loanflow.core.domain.money import ZERO
from loanflow.core.domain.workdays import WorkCalendar
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.subsidies.models import Publicity, SubsidyCap, SubsidyCase

LENT_STATES = ("disbursed", "overdue", "recalled", "compensation_claimed")
OVERDUE_BANDS = (("1-30", 1, 30), ("31-90", 31, 90), ("91-180", 91, 180), ("180+", 181, None))
# the waiting stages whose both ends the case rows keep: (stage, start column, end column, the amount that
# moved when it ended — the stage's end is then a flow of the period too: credited, disbursed, paid)
LOAN_STAGES = (
    ("applied", Loan.applied_on, Loan.rated_on, None),
    ("rated", Loan.rated_on, Loan.credited_on, Loan.credited_amount),
    ("credited", Loan.credited_on, Loan.disbursed_on, Loan.credited_amount),
)
SUBSIDY_STAGES = (
    ("applied", SubsidyCase.applied_on, SubsidyCase.verified_on, None),
    ("verified", SubsidyCase.verified_on, Publicity.posted_on, None),
    ("publicized", Publicity.end_on, SubsidyCase.approved_on, None),
    ("approved", SubsidyCase.approved_on, SubsidyCase.disbursed_on, SubsidyCase.amount),
)


def in_region(column, prefix: str):
    """Codes starting with ``prefix`` (all digits), as a range an index can serve."""
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return and_(column >= prefix, column < upper)


def township_of(column):
    return func.substr(column, 1, 9)


def _money(value) -> Decimal:
    return value if value is not None else ZERO


# --- stocks, as of today -----------------------------------------------------------------------------


def cases_per_state(model, prefix: str) -> dict[str, int]:
    rows = db.session.execute(
        select(model.state, func.count()).where(in_region(model.village_code, prefix)).group_by(model.state)
    )
    return {state: n for state, n in rows}


def stalled_per_township(model, prefix: str, before: date) -> dict[str, int]:
    """Cases stalled (超期) per township: their stage's due date is before ``before``, the latest working day
    up to today (``supervision.services.stalled.last_working_day``: the stalled queue's own rule)."""
    town = township_of(model.village_code)
    rows = db.session.execute(
        select(town, func.count())
        .where(in_region(model.village_code, prefix), model.stage_due_on < before)
        .group_by(town)
    )
    return {t: n for t, n in rows}


def loan_stocks(prefix: str, today: date) -> tuple[dict[str, int], tuple[int, Decimal], list]:
    """In one pass over the region's loans: cases per state; loans lent and not closed with the principal
    they still owe (未还本金); overdue loans by days overdue (today − the first unpaid due date) with it."""
    principal = func.coalesce(Loan.principal_outstanding, Loan.credited_amount)
    cols = [Loan.state, func.count(), func.sum(case((Loan.state.in_(LENT_STATES), principal)))]
    for _name, low, high in OVERDUE_BANDS:
        cond = and_(Loan.state == "overdue", Loan.overdue_since <= today - timedelta(days=low))
        if high is not None:
            cond = and_(cond, Loan.overdue_since >= today - timedelta(days=high))
        cols += [func.count(case((cond, 1))), func.sum(case((cond, principal)))]
    rows = list(
        db.session.execute(select(*cols).where(in_region(Loan.village_code, prefix)).group_by(Loan.state))
    )
    states = {r[0]: r[1] for r in rows}
    lent = (sum(r[1] for r in rows if r[0] in LENT_STATES), sum((_money(r[2]) for r in rows), ZERO))
    bands = [
        (name, sum(r[3 + 2 * i] for r in rows), sum((_money(r[4 + 2 * i]) for r in rows), ZERO))
        for i, (name, _low, _high) in enumerate(OVERDUE_BANDS)
    ]
    return states, lent, bands


# --- flows, between two dates ---------------------------------------------------------------------------


def counted(column, amount, prefix: str, start: date, end: date, *extra) -> tuple[int, Decimal]:
    """How many cases have ``column`` between the dates, and the sum of ``amount`` over them."""
    model = column.class_
    count, total = db.session.execute(
        select(func.count(), func.sum(amount)).where(
            in_region(model.village_code, prefix), column >= start, column <= end, *extra
        )
    ).one()
    return count, _money(total)


def cap_use(prefix: str, period: str, cap: Decimal) -> tuple[int, Decimal, int]:
    """Households holding a reservation against the cap of ``period``, the sum reserved, those at the cap."""
    households, reserved, full = db.session.execute(
        select(func.count(), func.sum(SubsidyCap.reserved), func.count(case((SubsidyCap.reserved >= cap, 1))))
        .join(Household, Household.id == SubsidyCap.household_id)
        .where(
            in_region(Household.village_code, prefix), SubsidyCap.period == period, SubsidyCap.reserved > 0
        )
    ).one()
    return households, _money(reserved), full


@dataclass(frozen=True)
class Spans:
    """The stages of one kind that ended between two dates, by (started, ended) pair, and what they moved."""

    product: str
    stage: str
    pairs: Counter
    amount: Decimal | None

    @property
    def count(self) -> int:
        return sum(self.pairs.values())


def stage_ends(prefix: str, start: date | None = None, end: date | None = None) -> list[tuple]:
    """Every waiting stage that ended between the dates (or ever), one grouped query per stage:
    rows ``(product, stage, started, ended, cases, amount moved or None)`` per (started, ended) pair."""
    out = []
    for product, stages in (("loan", LOAN_STAGES), ("subsidy", SUBSIDY_STAGES)):
        for stage, began, ended, amount in stages:
            model = began.class_ if began.class_ is not Publicity else ended.class_
            cols = [began, ended, func.count()] + ([func.sum(amount)] if amount is not None else [])
            stmt = select(*cols).where(in_region(model.village_code, prefix), began.is_not(None))
            stmt = stmt.where(ended >= start) if start is not None else stmt.where(ended.is_not(None))
            if end is not None:
                stmt = stmt.where(ended <= end)
            if Publicity in (began.class_, ended.class_):
                stmt = stmt.join(Publicity, Publicity.id == SubsidyCase.publicity_id)
            for r in db.session.execute(stmt.group_by(began, ended)):
                out.append((product, stage, r[0], r[1], r[2], _money(r[3]) if amount is not None else None))
    return out


def stage_spans(prefix: str, start: date, end: date) -> list[Spans]:
    """Every waiting stage that ended between the dates, with its (started, ended) pairs and what it moved."""
    spans = {
        (product, stage): Spans(product, stage, Counter(), ZERO if amount is not None else None)
        for product, stages in (("loan", LOAN_STAGES), ("subsidy", SUBSIDY_STAGES))
        for stage, _began, _ended, amount in stages
    }
    moved: Counter = Counter()
    for product, stage, began, ended, count, amount in stage_ends(prefix, start, end):
        spans[(product, stage)].pairs[(began, ended)] += count
        if amount is not None:
            moved[(product, stage)] += amount
    return [
        Spans(x.product, x.stage, x.pairs, x.amount if x.amount is None else moved[key] + ZERO)
        for key, x in spans.items()
    ]


class WorkingDayCounter:
    """Working days between two dates by subtraction: each date's count of working days since a start,
    computed once per date (a year of stages is tens of thousands of (start, end) pairs)."""

    def __init__(self, calendar: WorkCalendar):
        self.calendar, self._ordinal, self._first, self._last = calendar, [], None, None

    def cover(self, first: date, last: date) -> None:
        """Count the working days of every date from ``first`` to ``last`` (once; ``between`` reads them)."""
        self._cover(first, last)

    def _cover(self, first: date, last: date) -> None:
        if self._first is not None and self._first <= first and last <= self._last:
            return
        first = min(first, self._first or first)
        last = max(last, self._last or last)
        ordinal, count = [], 0
        for i in range((last - first).days + 1):
            count += self.calendar.is_working_day(first + timedelta(days=i))
            ordinal.append(count)
        self._ordinal, self._first, self._last = ordinal, first, last

    def between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b`` (``WorkCalendar.working_days_between``)."""
        if b <= a:
            return 0
        return self._ordinal[(b - self._first).days] - self._ordinal[(a - self._first).days]

    def median(self, spans: Counter) -> float | None:
        """The median of working days per stage (the end day counted, the start day not), or None."""
        if not spans:
            return None
        self._cover(min(a for a, _b in spans), max(b for _a, b in spans))
        days: Counter = Counter()
        for (a, b), n in spans.items():
            days[self.between(a, b)] += n
        return median_of(days)


def median_of(days: Counter) -> float | None:
    """The median of a histogram ``{working days: how many}`` (the mean of the two middle values), or None."""
    total = sum(days.values())
    if not total:
        return None
    seen, middle = 0, []
    for value, n in sorted(days.items()):
        for k in ((total - 1) // 2, total // 2):
            if seen <= k < seen + n:
                middle.append(value)
        seen += n
    return sum(middle) / len(middle)


def loan_coverage(prefix: str, end: date, statuses: list[str], monitoring: list[str]) -> tuple[int, int]:
    """Eligible households (register status or monitoring admitted) and those of them lent to by ``end``.

    The households lent to are found from the loans (one pass over the loans disbursed by then, an
    index-only scan), never by asking each household whether it has a loan. When the policy admits
    every register status (its default) every household is eligible, and the loans alone answer.
    """
    in_place = in_region(Household.village_code, prefix)
    lent = select(Loan.household_id).where(in_region(Loan.village_code, prefix), Loan.disbursed_on <= end)
    if set(statuses) >= set(codes("status")):
        total = db.session.scalar(select(func.count()).select_from(Household).where(in_place))
        with_loan = db.session.scalar(select(func.count(func.distinct(lent.subquery().c.household_id))))
        return total, with_loan
    eligible = and_(in_place, or_(Household.status.in_(statuses), Household.monitoring.in_(monitoring)))
    total = db.session.scalar(select(func.count()).select_from(Household).where(eligible))
    with_loan = db.session.scalar(
        select(func.count()).select_from(Household).where(eligible, Household.id.in_(lent))
    )
    return total, with_loan
