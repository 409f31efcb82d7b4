"""The supervisor's home: the stalled queue's summary for the supervisor's region.

How many cases are stalled and the most overdue of them, the dead ends, the spot-check problems
still open and the presses not yet answered. A township supervisor's numbers are the township's.
The stalled count stops 1,000 past the ten shown and the dead ends at 50 (both then say "+"), so the
home costs the same for any size of county.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from loanflow.core import clock
from loanflow.core.paging import Count
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.supervision.models import Press, SpotCheckItem
from loanflow.supervision.services.dead_ends import find_dead_ends
from loanflow.supervision.services.stalled import StalledCase, require_supervisor, stalled_queue

MOST_OVERDUE = 10


@dataclass(frozen=True)
class Summary:
    stalled: Count  # capped past 1,000 ("1,010+")
    most_overdue: list[StalledCase]
    dead_ends: list[StalledCase]  # the most overdue of them (``dead_ends.LIMIT``)
    dead_end_count: Count  # capped past the list ("50+")
    open_problems: int
    unanswered_presses: int


def summary(user: Any, today: date | None = None) -> Summary:
    require_supervisor(user)
    today = today or clock.today()
    top, total = stalled_queue(user, page=1, per_page=MOST_OVERDUE, today=today)
    problems = select(func.count(SpotCheckItem.id)).where(
        village_filter(user, SpotCheckItem.village_code),
        SpotCheckItem.result == "problem",
        SpotCheckItem.closed_at.is_(None),
    )
    unanswered = select(func.count(Press.id)).where(
        village_filter(user, Press.village_code), Press.answered_at.is_(None)
    )
    dead = find_dead_ends(user, today)
    return Summary(
        stalled=total,
        most_overdue=top,
        dead_ends=dead.rows,
        dead_end_count=dead.count,
        open_problems=db.session.scalar(problems),
        unanswered_presses=db.session.scalar(unanswered),
    )
