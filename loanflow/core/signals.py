"""What features tell each other, so that none imports another (Indico's ``signals``).

A feature connects its receivers in its ``init_app`` (never at import), so the
answers do not depend on what happened to be imported. Receivers that
contribute something (a work-queue section, a menu entry) return it with a
``position``; the sender sorts by it, because blinker does not keep the order
in which receivers were connected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from blinker import Namespace

_signals = Namespace()

calendar_year_entered = _signals.signal(
    "calendar-year-entered",
    doc="""An admin entered (or corrected) a year's holidays (sender: None).

    Receivers recompute their provisional dates, and the dates counting days of
    ``year``, in the caller's transaction (no commit) and return a
    ``core.domain.workdays.Refirmed`` (counts, the dates that moved, the flags) or a bare
    ``{what: how many}``; ``calendar`` is the WorkCalendar as now known.
    """,
)

places_written = _signals.signal(
    "places-written",
    doc="""Rows were written in bulk, past the ORM (sender: the table, e.g. ``"household"``).

    Keyword: ``village_codes``, the villages whose rows were written. Sent in the caller's transaction,
    after the writes: receivers that keep figures per place (the dashboard's rollup) mark those places.
    """,
)

case_moved = _signals.signal(
    "case-moved",
    doc="""A case moved through its state table (sender: the case type, ``"loan"`` or ``"subsidy"``).

    Keywords: ``case``, ``action``, ``actor`` (None for the system), ``before`` and ``after`` (the
    states). Sent by the case engine after the guarded update and its audit event, inside the
    caller's transaction: a receiver's writes commit or roll back with the move.
    """,
)

work_queue_sections = _signals.signal(
    "work-queue-sections",
    doc="""The home page's work queue (sender: the user; ``today``, ``limit``).

    Receivers return ``(position, title, rows)`` or None; a row is the dict ``web.queue.queue_row`` makes.
    ``rows`` are the section's first ``limit``, most urgent first, cut by the SQL's ``LIMIT``, in a
    total order: asked for fewer, a receiver answers the start of what it answers asked for more (the
    home shows the start of a section's page). A receiver that drops rows in Python after SQL reads on
    until it has ``limit`` (``core.paging.first_kept``).
    """,
)

menu_entries = _signals.signal(
    "menu-entries",
    doc="""The pages' menu (sender: the signed-in user, or None before login).

    Receivers return a list of ``(position, endpoint, title)``, or nothing for a user the entry is not for.
    """,
)

role_home = _signals.signal(
    "role-home",
    doc="""Where a user's start page is, when it is not the work queue (sender: the user).

    A receiver returns ``(position, endpoint)`` for the users it serves (say, the supervision feature for
    supervisors) or None; the lowest position wins; with none, the start page is the work queue.
    """,
)

household_actions = _signals.signal(
    "household-actions",
    doc="""Applications a clerk may open from a household's page (sender: the household).

    Receivers return a list of ``(position, endpoint, title)``; the page has checked the user may edit it.
    """,
)

household_cases = _signals.signal(
    "household-cases",
    doc="""A household's cases on its page (sender: the household; ``user``).

    Receivers return ``(position, title, rows, endpoint, state_kind)`` or None.
    """,
)

case_notices = _signals.signal(
    "case-notices",
    doc="""What a case's page says above its actions (sender: the case type, ``"loan"`` or ``"subsidy"``).

    Keywords: ``case``, ``user`` (the reader). Receivers return a list of ``(position, kind, message)``
    (kind ``error`` or ``info``; message a ``Msg``) or nothing: say, supervision's "nobody may move
    this case, because …" on a dead end, how late a stalled case is and who holds it, its open presses.
    """,
)


cases_by_number = _signals.signal(
    "cases-by-number",
    doc="""The cases a typed case number names (sender: the signed-in user; ``number``, upper case).

    Receivers return a list of ``(position, case_number, household_id, endpoint, case_id)`` of the cases
    the user may see, found by an indexed lookup, or nothing: the household search finds a household
    by one of its case numbers (DK-2026-000013, JB-2026-000013).
    """,
)


def contributions(results: Iterable[tuple[Any, Any]], *, many: bool = False) -> list:
    """The values receivers returned to a ``send``, Nones dropped, ordered by their leading position.

    ``many``: each receiver returns a list of entries rather than one.
    """
    values = [value for _receiver, value in results if value is not None]
    if many:
        values = [entry for entries in values for entry in entries]
    return sorted(values, key=lambda entry: entry[0])
