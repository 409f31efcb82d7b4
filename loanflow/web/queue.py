"""The work queue (待办): the cases waiting for this user's action, by role.

Each section is (title, rows); a row is a dict with the case link, who it is
for, the stage's deadline and how many working days it is over. The sections
come from the features (``core.signals.work_queue_sections``), in their order.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from loanflow.core import clock
from loanflow.core.domain.workdays import WorkCalendar
from loanflow.core.signals import contributions, work_queue_sections

QUEUE_LIMIT = 200


def queue_row(
    endpoint: str, case: Any, number: str, who: str, stage: str, cal: WorkCalendar, today: date
) -> dict:
    """One waiting case: its link, who it is for, its stage and how many working days it is over."""
    due = case.stage_due_on
    over = _days_over(cal, due, today) if due is not None and due < today else 0
    return {
        "endpoint": endpoint,
        "args": {"case_id": case.id},
        "case": number,
        "who": who,
        "stage": stage,
        "due": due,
        "provisional": case.stage_due_provisional,
        "over": over,
    }


@lru_cache(maxsize=4096)
def _days_over(cal: WorkCalendar, due: date, today: date) -> int:
    """Working days from a deadline to today: counted day by day, so once per deadline, not per row
    (a county's queue has hundreds of rows over a few dozen deadlines). The calendar is part of the
    key: a year entered builds a new calendar object."""
    return cal.working_days_between(due, today).days


def work_queue(user: Any) -> list[tuple[str, list[dict]]]:
    """The sections of the user's queue, each with its rows, most urgent first; empty sections left out."""
    sent = work_queue_sections.send(user, today=clock.today(), limit=QUEUE_LIMIT)
    return [(str(title), rows) for _position, title, rows in contributions(sent) if rows]
