"""Dates and day counts for loan interest (计息).

Interest counts the first day and not the last (算头不算尾) over a 360-day
year; maturity is the same day N months on, else that month's last day. A due
date that falls on a non-working day is met by paying on the next working day
(顺延): ``grace_end`` gives that day.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from loanflow.core.domain.money import FEN, round_fen

__all__ = [
    "DAYS_IN_YEAR",
    "FEN",
    "WorkingDay",
    "add_months",
    "days_between",
    "floor_fen",
    "grace_end",
    "interest_numerator",
    "is_weekday",
    "round_fen",
    "round_interest",
]

# The day basis of the rule (日利率 = 年利率 / 360), not a policy number.
DAYS_IN_YEAR = 360
# A run of non-working days longer than this is a broken calendar, not a holiday.
_MAX_CLOSED_RUN = 60

WorkingDay = Callable[[date], bool]


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, else that month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def days_between(start: date, end: date) -> int:
    """Days from ``start`` (counted) to ``end`` (not counted): 算头不算尾."""
    return (end - start).days


def interest_numerator(balance: Decimal, annual_rate: Decimal, start: date, end: date) -> Decimal:
    """Balance × rate × days, exact (计息积数 × 年利率); divide by 360 only when rounding."""
    return balance * annual_rate * days_between(start, end)


def round_interest(numerator: Decimal) -> Decimal:
    """Interest in yuan from a numerator: numerator / 360, rounded half-up to the fen."""
    return round_fen(numerator / DAYS_IN_YEAR)


def floor_fen(value: Decimal) -> Decimal:
    """Round down to the fen (used for equal principal parts)."""
    return value.quantize(FEN, rounding=ROUND_DOWN)


def is_weekday(d: date) -> bool:
    """Monday to Friday: the default calendar when no holiday table is given."""
    return d.weekday() < 5


def grace_end(due: date, is_working_day: WorkingDay = is_weekday) -> date:
    """The last day a payment still meets ``due``: the due date or the next working day after it."""
    day = due
    for _ in range(_MAX_CLOSED_RUN):
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no working day within {_MAX_CLOSED_RUN} days of {due.isoformat()}")
