"""Every feature's commands run under ``flask loanflow`` in their own app context (Flask AppGroups).

Each command is invoked from a fresh thread, where no app context is pushed, as
the ``flask`` executable runs it: a plain click command there fails with
"Working outside of application context".
"""

from __future__ import annotations

import json
import threading

from flask import has_app_context
from sqlalchemy import func, select

from loanflow.accounts.models import User
from loanflow.calendar.models import CalendarYear
from loanflow.core.domain.policy import default_policy_document
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.households.testing.register_sheets import csv_bytes, member_rows
from loanflow.policy.models import PolicyVersion


def invoke_without_context(app, *args: str):
    """``app.test_cli_runner().invoke(args=…)`` from a thread that has no app context of its own."""
    results = []

    def run() -> None:
        assert not has_app_context()
        results.append(app.test_cli_runner().invoke(args=["loanflow", *args]))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return results[0]


def test_the_sweep_runs_outside_an_app_context_and_prints_its_result(app):
    result = invoke_without_context(app, "sweep")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "as_of": "2026-03-10",
        "checked": 0,
        "became_overdue": 0,
        "cured": 0,
        "lost_races": 0,
    }


def test_the_audit_check_runs_outside_an_app_context(app, demo):
    result = invoke_without_context(app, "verify-audit")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True


def test_create_user_runs_outside_an_app_context(app, demo):
    result = invoke_without_context(
        app,
        "create-user",
        "--username",
        "clerk9",
        "--full-name",
        "赵经办",
        "--role",
        "clerk",
        "--region",
        "341503001001",
        "--password",
        "a-long-password-1",
    )
    assert result.exit_code == 0, result.output
    assert "created clerk9 (clerk, 341503001001)" in result.output
    # committed by the command's own unit of work: its app context is gone, its session with it
    assert db.session.scalar(select(User.full_name).where(User.username == "clerk9")) == "赵经办"


def test_publish_policy_runs_outside_an_app_context(app, demo, tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(default_policy_document(), ensure_ascii=False), encoding="utf-8")
    result = invoke_without_context(app, "publish-policy", str(path), "--note", "same numbers")
    assert result.exit_code == 0, result.output
    assert "published policy version 2" in result.output
    assert db.session.scalar(select(PolicyVersion.note).where(PolicyVersion.version == 2)) == "same numbers"


def test_enter_calendar_year_runs_outside_an_app_context(app, demo, tmp_path):
    path = tmp_path / "cal2027.json"
    path.write_text('{"year": 2027, "holidays": ["2027-01-01"], "workdays": []}', encoding="utf-8")
    result = invoke_without_context(app, "enter-calendar-year", str(path))
    assert result.exit_code == 0, result.output
    assert "entered 2027; provisional dates recomputed" in result.output
    assert db.session.get(CalendarYear, 2027) is not None


def test_export_households_runs_outside_an_app_context(app, demo, tmp_path):
    out = tmp_path / "register.csv"
    result = invoke_without_context(app, "export-households", "--out", str(out), "--as", "clerk")
    assert result.exit_code == 0, result.output
    assert f"{out}: " in result.output and "households" in result.output and out.stat().st_size > 0


def test_import_households_runs_outside_an_app_context_and_its_households_stay(app, demo, tmp_path):
    before = db.session.scalar(select(func.count()).select_from(Household))
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(member_rows(2, "341503001001", start=900)))
    result = invoke_without_context(
        app, "import-households", str(path), "--village-scope", "341503001001", "--as", "clerk"
    )
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(Household)) == before + 2


def test_the_demo_runs_outside_an_app_context(app):
    result = invoke_without_context(app, "demo", "--households", "5")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["households"] == 5
    assert db.session.scalar(select(func.count()).select_from(Household)) == 5


def test_flask_loanflow_lists_every_feature_command(app):
    result = app.test_cli_runner().invoke(args=["loanflow", "--help"])
    commands = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert commands == {
        "checkpoint-audit",
        "claims",
        "create-user",
        "demo",
        "enter-calendar-year",
        "export-households",
        "import-households",
        "publish-policy",
        "rebuild-dashboard",
        "region-problems",
        "stalled",
        "sweep",
        "verify-audit",
    }
