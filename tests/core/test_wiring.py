"""Features reach each other through core: no string imports, no probing of the URL map, receivers
connected by ``init_app`` (which package may import which: tests/core/test_architecture.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import loanflow
from config import TestConfig
from loanflow import create_app
from loanflow.core import signals

PACKAGE = Path(loanflow.__file__).parent


def test_no_module_is_found_by_its_name_as_a_string_nor_a_page_by_probing_the_url_map():
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "importlib" not in source and "import_module" not in source, path
        assert "view_functions" not in source, path
        tree = ast.parse(source)
        assert not [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "__getattr__"], path


def test_building_an_app_connects_every_feature_receiver():
    """The receivers are connected by the features' ``init_app``, never by whatever was imported."""
    wired = (
        signals.calendar_year_entered,
        signals.work_queue_sections,
        signals.menu_entries,
        signals.case_moved,
        signals.role_home,
        signals.case_notices,
        signals.cases_by_number,
    )
    for signal in wired:  # signals are process-wide: forget what earlier apps of this run connected
        for receiver in list(signal.receivers_for(None)):
            signal.disconnect(receiver)
    assert [list(signal.receivers_for(None)) for signal in wired] == [[]] * len(wired)
    create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    names = {
        signal.name: sorted(f"{r.__module__}.{r.__qualname__}" for r in signal.receivers_for(None))
        for signal in wired
    }
    assert names == {
        "calendar-year-entered": [
            "loanflow.loans.deadlines.refirm_loan_deadlines",
            "loanflow.subsidies.refirm_dates",
            "loanflow.supervision.dashboard.keeping.calendar_year_entered",
        ],
        "work-queue-sections": [
            "loanflow.households.queue.queue_section",
            "loanflow.loans.queue.clerk_household_section",
            "loanflow.loans.queue.clerk_waiting_section",
            "loanflow.loans.queue.queue_section",
            "loanflow.subsidies.queue.clerk_household_section",
            "loanflow.subsidies.queue.clerk_waiting_section",
            "loanflow.subsidies.queue.queue_section",
            "loanflow.supervision.queue.clerk_press_section",
            "loanflow.supervision.queue.queue_section",
        ],
        "menu-entries": [
            "loanflow.admin.views.menu_entries",
            "loanflow.households.views.menu_entries",
            "loanflow.loans.views.menu_entries",
            "loanflow.policy.views.menu_entries",
            "loanflow.subsidies.views.menu_entries",
            "loanflow.supervision.dashboard.views.menu_entries",
            "loanflow.supervision.views.menu_entries",
        ],
        "case-moved": [
            "loanflow.supervision.dashboard.keeping.case_moved",
            "loanflow.supervision.services.presses.answer_presses",
        ],
        "role-home": ["loanflow.admin.views.admin_home_for", "loanflow.supervision.views.role_home"],
        "case-notices": ["loanflow.supervision.notices.case_notices"],
        "cases-by-number": [
            "loanflow.loans.queue.cases_by_number",
            "loanflow.subsidies.queue.cases_by_number",
        ],
    }
