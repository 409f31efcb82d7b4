"""Reading a year's dates as the admin types or pastes them: ISO dates, or the State Council notice's text.

The notice (国务院办公厅关于某年部分节假日安排的通知) says, clause by clause,
``春节：2月15日（周日）至23日（周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。``:
the days of a clause that says 上班 are make-up working days, the ranges of one that says
放假 are days off.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s*(?:~|至|到|—|–)\s*(\d{4})-(\d{1,2})-(\d{1,2}))?")
CHINESE = re.compile(
    r"(?:(\d{1,2})月)?(\d{1,2})日(?:（[^）]*）|\([^)]*\))?(?:\s*(?:至|到|-|—|~)\s*(?:(\d{1,2})月)?(\d{1,2})日)?"
)
CLAUSE = re.compile(r"[。；;\n]")


class DatesError(ValueError):
    """Text naming a date that does not exist (``2月30日``)."""


def _span(start: date, end: date) -> list[date]:
    if end < start:
        raise DatesError(f"{start.isoformat()} → {end.isoformat()}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as e:
        raise DatesError(f"{year}-{month:02d}-{day:02d}") from e


def dates_in(text: str, year: int) -> list[date]:
    """Every date a piece of text names: ISO dates and ranges, or ``1月1日至3日`` in the given year."""
    found: list[date] = []
    for m in ISO.finditer(text):
        start = _day(int(m[1]), int(m[2]), int(m[3]))
        end = _day(int(m[4]), int(m[5]), int(m[6])) if m[4] else start
        found += _span(start, end)
    rest = ISO.sub(" ", text)
    month = None
    for m in CHINESE.finditer(rest):
        month = int(m[1]) if m[1] else month
        if month is None:
            continue
        start = _day(year, month, int(m[2]))
        end = _day(year, int(m[3]) if m[3] else month, int(m[4])) if m[4] else start
        month = end.month
        found += _span(start, end)
    return sorted(set(found))


def notice_dates(text: str, year: int) -> tuple[list[date], list[date]]:
    """(days off, make-up working days) of a pasted notice: a clause saying 上班 gives working days."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    for clause in CLAUSE.split(text):
        if "上班" in clause:
            workdays.update(dates_in(clause, year))
        elif "放假" in clause or "休" in clause:
            holidays.update(dates_in(clause, year))
    return sorted(holidays), sorted(workdays)
