"""Fixtures the loan tests share (imported by name): a demo county without seeded cases, a funded fund.

The demo here registers regions, branches, users and households only, so each
loan test starts from households without loans or subsidies.
"""

from __future__ import annotations

import os

import pytest

from loanflow.loans.demo import deposit, fresh_households


@pytest.fixture
def demo(app, monkeypatch):
    """The demo county with 30 households and no cases (users: clerk, clerk2, officer, …)."""
    from loanflow import demo as demo_module
    from loanflow.policy import services as policy

    # the policy cache is keyed by version, and every test starts again from version 1
    monkeypatch.setattr(policy, "_cache", {})
    return demo_module.build_demo(int(os.environ.get("TEST_DEMO_HOUSEHOLDS", "30")), case_builders=())


@pytest.fixture
def funded(demo, users):
    """The users by name, with one million yuan in the county's risk fund (room for ten million)."""
    deposit("341503", "1000000.00")
    return users


@pytest.fixture
def household(funded):
    """A household of the clerk's village without loans, whose head may borrow."""
    return fresh_households(funded["clerk"].region_code)[0]
