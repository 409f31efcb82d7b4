"""``flask loanflow stalled --as supervisor``: the stalled queue as JSON lines, most overdue first."""

from __future__ import annotations

import json
from datetime import date

import pytest

from loanflow.core.clock import business_date
from loanflow.loans.testing.factories import deposit, fresh_households, open_loan

pytestmark = pytest.mark.bare_demo


def test_the_command_prints_the_supervisors_stalled_cases_and_their_total(app, demo, users):
    deposit("341503", "1000000.00", date(2025, 12, 1))
    with business_date(date(2026, 2, 2)):
        loan = open_loan(users["clerk"], fresh_households(users["clerk"].region_code)[0])
    result = app.test_cli_runner().invoke(args=["loanflow", "stalled", "--as", "supervisor"])
    assert result.exit_code == 0, result.output
    *rows, total = [json.loads(line) for line in result.output.splitlines()]
    assert total == {"total": 1, "total_capped": False}
    assert rows[0]["case"] == loan.case_number and rows[0]["must_act"] == ["张信贷", "刘信贷"]
    refused = app.test_cli_runner().invoke(args=["loanflow", "stalled", "--as", "nobody"])
    assert refused.exit_code != 0 and "no user nobody" in refused.output
    officer = app.test_cli_runner().invoke(args=["loanflow", "stalled", "--as", "officer"])
    assert officer.exit_code == 1 and "Only a supervisor" in officer.output
