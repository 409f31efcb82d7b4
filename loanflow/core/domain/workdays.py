"""Working days (工作日) on the Chinese calendar: public holidays off, make-up working days (调休) on.

Years come from, in order: a table an admin entered (``YearTable``), the
``chinesecalendar`` library, or — for a year neither knows yet — Monday to
Friday less the statutory holidays on their legal dates (``statutory_holidays``:
元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆, the lunar ones computed), with no
make-up days. Any answer that looked at such an unknown year is ``provisional``,
shown as such until the year is entered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType
from typing import Any

import chinese_calendar
from lunar_python import Lunar

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class YearTable:
    """One year's public holidays and make-up working days, as published by the State Council."""

    year: int
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        stray = sorted(d for d in self.holidays | self.workdays if d.year != self.year)
        if stray:
            raise ValueError(f"dates outside {self.year}: {', '.join(d.isoformat() for d in stray)}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"both holiday and working day: {', '.join(d.isoformat() for d in both)}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> YearTable:
        """Build from stored JSON: ``{"year": 2027, "holidays": ["2027-01-01"], "workdays": [...]}``."""
        return cls(
            int(data["year"]),
            frozenset(date.fromisoformat(d) for d in data.get("holidays", ())),
            frozenset(date.fromisoformat(d) for d in data.get("workdays", ())),
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON form read by ``from_dict``."""
        return {
            "year": self.year,
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
        }

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


@dataclass(frozen=True)
class WorkResult:
    """A date computed in working days; ``provisional`` if it relied on an unpublished year."""

    date: date
    provisional: bool


@dataclass(frozen=True)
class WorkCount:
    """A number of working days; ``provisional`` if it relied on an unpublished year."""

    days: int
    provisional: bool


@dataclass(frozen=True)
class Period:
    """A publicity period (公示期): first and last day, and the day approval opens."""

    start: date
    end: date
    approval_opens: date
    provisional: bool


@dataclass(frozen=True)
class MovedDate:
    """A date of a case that entering (or correcting) a calendar year changed.

    ``what`` names the date: ``stage_due_on`` (the stage deadline), ``publicity_end``
    (last day of a 公示), ``approval_opens`` (first day a 公示's cases may be approved).
    """

    case_type: str  # "loan", "subsidy" or "publicity"
    case_id: int
    case_number: str
    what: str
    before: date | None
    after: date | None
    still_provisional: bool = False  # it also reaches into another year not published yet

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_type": self.case_type,
            "case_id": self.case_id,
            "case_number": self.case_number,
            "what": self.what,
            "before": self.before.isoformat() if self.before else None,
            "after": self.after.isoformat() if self.after else None,
            "still_provisional": self.still_provisional,
        }


@dataclass(frozen=True)
class ApprovedInsidePeriod:
    """A flag (疑点): a subsidy approved on a day that the calendar as now known puts inside its 公示."""

    case_id: int
    case_number: str
    approved_on: date
    period_end: date
    approval_opens: date

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "case_number": self.case_number,
            "approved_on": self.approved_on.isoformat(),
            "period_end": self.period_end.isoformat(),
            "approval_opens": self.approval_opens.isoformat(),
        }


@dataclass
class Refirmed:
    """What one feature recomputed after a calendar year was entered: counts by kind, and what moved."""

    counts: dict[str, int] = field(default_factory=dict)
    moved: list[MovedDate] = field(default_factory=list)
    approved_inside_period: list[ApprovedInsidePeriod] = field(default_factory=list)

    def merge(self, other: Refirmed | Mapping[str, int] | None) -> None:
        """Add another receiver's answer (a ``Refirmed``, or a bare ``{what: how many}``)."""
        if other is None:
            return
        if isinstance(other, Refirmed):
            self.counts.update(other.counts)
            self.moved.extend(other.moved)
            self.approved_inside_period.extend(other.approved_inside_period)
        else:
            self.counts.update(other)


@cache
def statutory_holidays(year: int) -> frozenset[date]:
    """The days off that the holiday law (全国年节及纪念日放假办法, as amended from 2025) fixes in ``year``.

    元旦 1 January; 春节 除夕 and 正月初一 to 初三; 清明 the day of the solar term;
    劳动节 1 and 2 May; 端午 五月初五; 中秋 八月十五; 国庆 1 to 3 October. The lunar
    dates and the solar term come from ``lunar_python``. The State Council's notice
    for the year adds bridge days and make-up working days (调休), which no rule
    predicts: those come only when an admin enters the year.
    """
    lunar_new_year = Lunar.fromYmd(year, 1, 1)
    spring = _solar(lunar_new_year.getSolar())
    qingming = _solar(lunar_new_year.getJieQiTable()["清明"])
    days = {
        date(year, 1, 1),
        *(spring + timedelta(days=n) for n in range(-1, 3)),  # 除夕 is the eve of 正月初一
        qingming,
        date(year, 5, 1),
        date(year, 5, 2),
        _solar(Lunar.fromYmd(year, 5, 5).getSolar()),
        _solar(Lunar.fromYmd(year, 8, 15).getSolar()),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    return frozenset(d for d in days if d.year == year)


def _solar(s: Any) -> date:
    return date(s.getYear(), s.getMonth(), s.getDay())


@cache
def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _library_workday(d: date) -> bool:
    # The library's tables never change while we run: one lookup per date per process.
    return chinese_calendar.is_workday(d)


class WorkCalendar:
    """Working days over the library's years and the admin's tables (the tables win)."""

    def __init__(self, extra_years: Mapping[int, YearTable] | Iterable[YearTable] = MappingProxyType({})):
        tables = extra_years.values() if isinstance(extra_years, Mapping) else extra_years
        self._tables: dict[int, YearTable] = {}
        for table in tables:
            if table.year in self._tables:
                raise ValueError(f"two tables for {table.year}")
            self._tables[table.year] = table
        if isinstance(extra_years, Mapping):
            wrong = [y for y, t in extra_years.items() if y != t.year]
            if wrong:
                raise ValueError(f"table keyed under the wrong year: {wrong}")
        self._years: dict[int, bool] = {}
        self._days: dict[date, tuple[bool, bool]] = {}

    def knows_year(self, year: int) -> bool:
        """True if holidays for ``year`` are known (admin table or library)."""
        known = self._years.get(year)
        if known is None:
            known = year in self._tables or _library_knows(year)
            self._years[year] = known
        return known

    def _day(self, d: date) -> tuple[bool, bool]:
        """(is a working day, provisional)."""
        cached = self._days.get(d)
        if cached is None:
            table = self._tables.get(d.year)
            if table is not None:
                cached = (table.is_working_day(d), False)
            elif self.knows_year(d.year):
                cached = (_library_workday(d), False)
            else:
                cached = (d.weekday() < 5 and d not in statutory_holidays(d.year), True)
            self._days[d] = cached
        return cached

    def year_table(self, year: int) -> tuple[YearTable, str]:
        """The year's days off on weekdays and working weekend days, and where they come from.

        ``"entered"`` (an admin's table), ``"library"`` (published, from ``chinesecalendar``)
        or ``"provisional"`` (not published yet: the statutory holidays, no make-up days).
        """
        if year in self._tables:
            return self._tables[year], "entered"
        if not self.knows_year(year):
            return YearTable(year, statutory_holidays(year), frozenset()), "provisional"
        days = [
            date(year, 1, 1) + timedelta(days=n)
            for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
        ]
        weekday_off = frozenset(d for d in days if d.weekday() < 5 and not self.is_working_day(d))
        weekend_on = frozenset(d for d in days if d.weekday() >= 5 and self.is_working_day(d))
        return YearTable(year, weekday_off, weekend_on), (
            "library" if self.knows_year(year) else "provisional"
        )

    def unknown_years(self, a: date, b: date) -> list[int]:
        """The years from ``a`` to ``b`` (both counted) that are not published yet: their dates are provisional."""
        return [y for y in range(a.year, b.year + 1) if not self.knows_year(y)]

    def is_working_day(self, d: date) -> bool:
        """True if people work on ``d`` (in an unknown year: Monday–Friday less the statutory holidays)."""
        return self._day(d)[0]

    def add_working_days(self, start: date, n: int) -> WorkResult:
        """The deadline n working days after ``start`` (the start day itself not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        d, provisional = start, False
        while n:
            d += _DAY
            working, guessed = self._day(d)
            provisional |= guessed
            n -= working
        return WorkResult(d, provisional)

    def working_days_between(self, a: date, b: date) -> WorkCount:
        """Working days after ``a`` up to and including ``b`` (0 if ``b`` is not after ``a``).

        With ``a`` a deadline and ``b`` today, this is how many working days a case is over.
        """
        count, provisional, d = 0, False, a
        while d < b:
            d += _DAY
            working, guessed = self._day(d)
            count += working
            provisional |= guessed
        return WorkCount(count, provisional)

    def next_working_day(self, d: date) -> WorkResult:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def working_day_on_or_after(self, d: date) -> WorkResult:
        """``d`` if it is a working day, else the next one (a due date falling on a holiday)."""
        working, provisional = self._day(d)
        if working:
            return WorkResult(d, provisional)
        following = self.next_working_day(d)
        return WorkResult(following.date, provisional or following.provisional)

    def publicity_period(self, posted_on: date, days: int) -> Period:
        """The publicity period (公示期) of a list posted on ``posted_on``, lasting ``days`` working days.

        The posting day is day 1 if it is a working day, else the first working day
        after it is; approval opens on the first working day after the last day.
        """
        if days < 1:
            raise ValueError("a publicity period lasts at least one working day")
        start = self.working_day_on_or_after(posted_on)
        end = self.add_working_days(start.date, days - 1)
        opens = self.next_working_day(end.date)
        provisional = start.provisional or end.provisional or opens.provisional
        return Period(start.date, end.date, opens.date, provisional)
