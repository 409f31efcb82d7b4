"""Features reach each other through core: no string imports, no probing, the shared plumbing imports none.

An ``ast`` walk over every module (imports inside functions count too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import loanflow
from config import TestConfig
from loanflow import create_app
from loanflow.core import signals

PACKAGE = Path(loanflow.__file__).parent
FEATURES = {"audit", "policy", "calendar", "accounts", "households", "loans", "subsidies", "documents"}
CASE_FEATURES = {"households", "loans", "subsidies"}


def imports() -> list[tuple[str, str]]:
    """(the importing package, the imported module) for every ``loanflow`` import of every module."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        here = parts[0] if len(parts) > 1 else ""
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(here, a.name) for a in node.names if a.name.startswith("loanflow.")]
            elif (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and (node.module or "").startswith("loanflow")
            ):
                found.append((here, node.module))
    return found


def area(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_the_web_plumbing_imports_no_feature():
    assert [m for here, m in imports() if here == "web" and area(m) in FEATURES] == []


def test_the_shared_features_import_no_case_feature():
    shared = {"calendar", "policy", "audit", "accounts", "documents"}
    assert [(h, m) for h, m in imports() if h in shared and area(m) in CASE_FEATURES] == []


def test_loans_and_subsidies_do_not_import_each_other():
    assert [(h, m) for h, m in imports() if {h, area(m)} == {"loans", "subsidies"}] == []


def test_no_module_is_found_by_its_name_as_a_string_nor_a_page_by_probing_the_url_map():
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "importlib" not in source and "import_module" not in source, path
        assert "view_functions" not in source, path
        tree = ast.parse(source)
        assert not [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "__getattr__"], path


def test_building_an_app_connects_every_feature_receiver():
    """The receivers are connected by the features' ``init_app``, never by whatever was imported."""
    create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    names = {
        signal.name: sorted(f"{r.__module__}.{r.__qualname__}" for r in signal.receivers_for(None))
        for signal in (signals.calendar_year_entered, signals.work_queue_sections, signals.menu_entries)
    }
    assert names == {
        "calendar-year-entered": [
            "loanflow.loans.deadlines.refirm_loan_deadlines",
            "loanflow.subsidies.refirm_dates",
        ],
        "work-queue-sections": [
            "loanflow.households.queue.queue_section",
            "loanflow.loans.queue.queue_section",
            "loanflow.subsidies.queue.queue_section",
        ],
        "menu-entries": ["loanflow.loans.views.menu_entries", "loanflow.subsidies.views.menu_entries"],
    }
