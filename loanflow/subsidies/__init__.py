"""Industry subsidies (产业奖补): apply, verify, 公示, approve, pay out."""

from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, the subsidy API, the pages, the documents; what subsidies add elsewhere."""
    from loanflow.api import register_api
    from loanflow.core import signals
    from loanflow.documents.registry import register_case_type
    from loanflow.subsidies import api, documents, models, queue, views  # noqa: F401

    register_api(app, api.blp)
    for case_type in documents.CASE_TYPES:
        register_case_type(app, case_type)
    signals.calendar_year_entered.connect(refirm_dates)
    signals.work_queue_sections.connect(queue.queue_section)
    signals.work_queue_sections.connect(queue.clerk_waiting_section)
    signals.work_queue_sections.connect(queue.clerk_household_section)
    signals.cases_by_number.connect(queue.cases_by_number)
    signals.menu_entries.connect(views.menu_entries)
    signals.household_actions.connect(views.household_actions)
    signals.household_cases.connect(views.household_cases)


def refirm_dates(_sender: Any, *, calendar: Any, year: int | None = None, **_kwargs: Any) -> Any:
    """``calendar_year_entered``: the 公示 periods and subsidy deadlines, in the entry's transaction."""
    from loanflow.subsidies.refirm import refirm_subsidy_dates

    return refirm_subsidy_dates(calendar, year)
