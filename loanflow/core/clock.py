"""The one clock (业务日期): every 'today' and 'now' of the service comes from here.

The business date is the calendar date in Asia/Shanghai, or the date set by
``LOANFLOW_TODAY`` (tests, demos, replaying a day). Nothing else in the code
asks the system for the date.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _fixed() -> date | None:
    if not has_app_context():
        return None
    value = current_app.config.get("LOANFLOW_TODAY")
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def today() -> date:
    """The business date."""
    return _fixed() or datetime.now(SHANGHAI).date()


def now() -> datetime:
    """An aware timestamp on the business date (wall-clock time of day)."""
    wall = datetime.now(SHANGHAI)
    fixed = _fixed()
    return wall if fixed is None else wall.replace(year=fixed.year, month=fixed.month, day=fixed.day)


def wall_now() -> datetime:
    """The real time (UTC), whatever the business date: for what lasts in real time, like a bearer
    token's lifetime, which a demo or a test replaying another day must not shorten or stretch."""
    return datetime.now(UTC)


@contextmanager
def business_date(day: date | str) -> Iterator[None]:
    """Run a block on another business date (a back-dated demo step, a test's day), then restore it.

    The one override of the clock: it sets ``LOANFLOW_TODAY`` of the current app for the block.
    """
    config = current_app.config
    saved = config.get("LOANFLOW_TODAY")
    config["LOANFLOW_TODAY"] = day if isinstance(day, str) else day.isoformat()
    try:
        yield
    finally:
        config["LOANFLOW_TODAY"] = saved
