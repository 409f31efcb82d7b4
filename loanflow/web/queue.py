"""The work queue (待办): the cases waiting for this user's action, by role.

The sections come from the features (``core.signals.work_queue_sections``), in their order; a row
is a dict with the case link, who it is for, the stage's deadline and how many working days it is
over. The home shows each section's ``HOME_ROWS`` most urgent rows and, when there are more, says
so and links to the section's own page, which shows up to ``QUEUE_LIMIT``: the home costs the same
at ten thousand cases as at a million, and a bank officer does not read four hundred rows there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from loanflow.core import clock
from loanflow.core.domain.workdays import WorkCalendar
from loanflow.core.errors import NotFound, msg
from loanflow.core.signals import contributions, work_queue_sections

HOME_ROWS = 20  # per section on the home page
QUEUE_LIMIT = 200  # on a section's own page


@dataclass(frozen=True)
class Section:
    """A section of the queue as a page shows it: its first rows, and whether more follow them."""

    position: int  # the feature's, which also names the section's page (``/queue/<position>``)
    title: str
    rows: list[dict]
    more: bool


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


def _sections(user: Any, shown: int) -> list[Section]:
    """Every section with its first ``shown`` rows. The features are asked for one row more
    (``limit``, their SQL's ``LIMIT``), which says whether more follow, and nothing is counted."""
    sent = work_queue_sections.send(user, today=clock.today(), limit=shown + 1)
    return [
        Section(position, str(title), rows[:shown], len(rows) > shown)
        for position, title, rows in contributions(sent)
    ]


def work_queue(user: Any) -> list[Section]:
    """The home's sections, each with its ``HOME_ROWS`` most urgent rows; empty sections left out."""
    return [s for s in _sections(user, HOME_ROWS) if s.rows]


def whole_section(user: Any, position: int) -> Section:
    """One section with up to ``QUEUE_LIMIT`` rows, in the home's order (its first ``HOME_ROWS`` are the
    home's); 404 for a position no feature answers.

    Every feature is asked, as the home asks them, and one section is kept: the features need not
    know which page asks. That reads about what the home read before it showed ``HOME_ROWS`` a section.
    """
    for section in _sections(user, QUEUE_LIMIT):
        if section.position == position:
            return section
    raise NotFound(msg("没有这一栏待办", "There is no such section of the work queue"))
