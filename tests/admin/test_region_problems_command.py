"""``flask loanflow region-problems COUNTY``: what makes dead ends, for an operator without the pages."""

from __future__ import annotations

import pytest

from loanflow.accounts.services import create_region

pytestmark = pytest.mark.bare_demo


def test_the_command_names_a_township_without_branch(app, demo):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["loanflow", "region-problems", "341503"]).output.strip() == "no problems"
    create_region(None, "341503012", "新设镇")
    out = runner.invoke(args=["loanflow", "region-problems", "341503"]).output
    assert "township without a branch: 341503012 新设镇" in out
