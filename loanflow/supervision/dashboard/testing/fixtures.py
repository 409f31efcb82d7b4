"""Fixtures for the dashboard tests: a county with cases of every kind the numbers count, a township supervisor."""

from __future__ import annotations

from datetime import date

import pytest

from loanflow.accounts.models import User
from loanflow.accounts.services import create_user
from loanflow.core import uow
from loanflow.extensions import db
from loanflow.loans.sweep import run_sweep
from loanflow.loans.testing.factories import (
    deposit,
    disbursed_loan,
    drive,
    free_households,
    on_day,
    open_loan,
)
from loanflow.subsidies.testing.factories import make_case

DEMO_PASSWORD = "demo-password"
TOWNSHIP_A = "341503001"  # 苏埠镇, where the demo clerk's cases are
TODAY = date(2026, 3, 10)


@pytest.fixture
def township_a_supervisor(demo) -> User:
    """``supervisor_a``: a supervisor of township A only (password demo-password)."""
    user = create_user(
        None,
        username="supervisor_a",
        full_name="郑督查",
        role="supervisor",
        region_code=TOWNSHIP_A,
        password=DEMO_PASSWORD,
    )
    uow.commit()
    return user


@pytest.fixture
def county(demo, users):
    """The demo county's subsidies, plus loans built here in townships A and B: on time, stalled,
    disbursed this year, overdue for weeks and for months; and two subsidies paid in township A."""
    deposit("341503", "1000000.00", date(2025, 1, 2))
    a, b = free_households("341503001001"), free_households("341503002001")
    disbursed_loan(users, "30000.00", 12, on=date(2026, 2, 2), household=a.pop(0))
    for household, disbursed in ((a.pop(0), date(2025, 11, 1)), (a.pop(0), date(2025, 6, 2))):
        disbursed_loan(users, "8000.00", 3, on=disbursed, household=household)
    _loan(users["clerk"], a.pop(0), "applied", date(2026, 2, 9), users["officer"])  # stalled in A
    _loan(users["clerk"], a.pop(0), "rated", date(2026, 3, 9), users["officer"])  # on time
    _loan(users["clerk2"], b.pop(0), "applied", date(2026, 2, 16), users["officer3"])  # stalled in B
    _loan(users["clerk2"], b.pop(0), "credited", date(2026, 1, 20), users["officer3"])  # stalled in B
    run_sweep(TODAY)
    for h, start in zip(a[:2], (date(2026, 1, 5), date(2026, 1, 12)), strict=True):
        make_case(
            h,
            "disbursed",
            start=start,
            clerk=users["clerk"],
            verifier=users["approver"],
            approver=users["approver2"],
        )
    db.session.expire_all()
    return users


def _loan(clerk, household, target, on, officer):
    with on_day(on):
        loan = open_loan(clerk, household)
        if target != "applied":
            drive(loan, target, officer=officer)
