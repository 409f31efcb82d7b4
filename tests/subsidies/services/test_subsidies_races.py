"""Steps racing on one case across the cap's year edge: the loser gets a 409, never a server error (issue 10).

A case verified in 2026 and approved in 2027 has its reservation moved from 2026's
cap to 2027's. A withdrawal (or a second approval) that loaded the case before the
approval committed used to release the 2026 reservation the approval had already
moved: ``RuntimeError: cap ledger … holds less than``, a 500. Run on PostgreSQL
(TEST_DATABASE_URL) for real row locks; SQLite serialises the writers.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest

from loanflow.accounts.models import User
from loanflow.accounts.services import create_user
from loanflow.core import uow
from loanflow.core.errors import Conflict
from loanflow.extensions import db
from loanflow.subsidies import cap as subsidy_cap
from loanflow.subsidies import services as service
from loanflow.subsidies.models import SubsidyCap, SubsidyCase
from loanflow.subsidies.testing.factories import (
    NEW_YEAR_2027,
    enter_calendar_year,
    fresh_household,
    make_case,
)

VILLAGE = "341503001001"
D = Decimal


def held(household_id: int, period: str) -> Decimal:
    db.session.expire_all()
    row = db.session.get(SubsidyCap, (household_id, period))
    return row.reserved if row else D("0.00")


def race(app, jobs) -> list:
    """Run the jobs at one moment, each in its own app context and connection; every outcome, errors included."""
    uow.commit()
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = job()
                uow.commit()
            except Exception as e:  # noqa: BLE001 — a RuntimeError here is the bug this file guards
                db.session.rollback()
                results[i] = e
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def publicized_across_the_year(users, name: str) -> SubsidyCase:
    enter_calendar_year(2027, NEW_YEAR_2027["holidays"])
    h = fresh_household(VILLAGE, name)
    return make_case(
        h,
        "publicized",
        start=date(2026, 12, 24),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
        industry="pig",
        quantity="5",
    )  # 1000.00 reserved in 2026, approval opens 2027-01-05


@pytest.fixture
def approval_holds_its_locks(monkeypatch):
    """The first approval pauses, its ledger work done and not committed; the Event says it got there.

    The other step starts only then, with the case as committed before the approval: the
    interleaving that lost the reservation, made certain instead of left to the scheduler.
    """
    reached, first = threading.Event(), threading.Lock()
    real = subsidy_cap.amount_at_approval

    def paused(*args, **kwargs):
        amount = real(*args, **kwargs)
        if first.acquire(blocking=False):
            reached.set()
            time.sleep(0.5)
        return amount

    monkeypatch.setattr(subsidy_cap, "amount_at_approval", paused)
    return reached


def after(event: threading.Event, job):
    def run():
        assert event.wait(20), "the approval never reached its ledger work"
        return job()

    return run


def approve_and_withdraw(users, case_id: int, reached: threading.Event) -> list:
    clerk_id, county_id = users["clerk"].id, users["approver2"].id
    return [
        lambda: service.approve_case(db.session.get(User, county_id), case_id).state,
        after(
            reached,
            lambda: service.close_case(db.session.get(User, clerk_id), case_id, "withdraw", "农户撤回").state,
        ),
    ]


def on_day(app, day: date):
    saved = app.config["LOANFLOW_TODAY"]
    app.config["LOANFLOW_TODAY"] = day.isoformat()
    return saved


@pytest.mark.truncate  # threads racing through connections of their own
def test_a_withdrawal_racing_an_approval_across_the_year_is_a_conflict_not_a_server_error(
    app, users, approval_holds_its_locks
):
    c = publicized_across_the_year(users, "撤回审批")
    case_id, h_id = c.id, c.household_id
    saved = on_day(app, c.publicity.approval_opens_on)
    try:
        results = race(app, approve_and_withdraw(users, case_id, approval_holds_its_locks))
    finally:
        app.config["LOANFLOW_TODAY"] = saved
    assert results[0] == "approved" and isinstance(results[1], Conflict), results
    assert results[1].status == 409 and results[1].state == "approved"
    db.session.expire_all()
    assert db.session.get(SubsidyCase, case_id).state == "approved"
    assert (held(h_id, "2026"), held(h_id, "2027")) == (D("0.00"), D("1000.00"))


@pytest.mark.truncate  # threads racing through connections of their own
def test_two_approvals_of_one_case_across_the_year_approve_it_once_and_the_other_is_a_conflict(
    app, users, approval_holds_its_locks
):
    c = publicized_across_the_year(users, "重复审批")
    case_id, h_id = c.id, c.household_id
    county_ids = [users["approver2"].id]
    second = create_user(
        None,
        username="county2",
        full_name="县审核二",
        role="approver",
        region_code="341503",
        password="pw-county-2-long",
    )
    uow.commit()
    county_ids.append(second.id)
    saved = on_day(app, c.publicity.approval_opens_on)
    try:
        results = race(
            app,
            [
                lambda: service.approve_case(db.session.get(User, county_ids[0]), case_id).amount,
                after(
                    approval_holds_its_locks,
                    lambda: service.approve_case(db.session.get(User, county_ids[1]), case_id).amount,
                ),
            ],
        )
    finally:
        app.config["LOANFLOW_TODAY"] = saved
    assert results[0] == D("1000.00") and isinstance(results[1], Conflict), results
    assert results[1].status == 409 and results[1].state == "approved"
    assert (held(h_id, "2026"), held(h_id, "2027")) == (D("0.00"), D("1000.00"))
