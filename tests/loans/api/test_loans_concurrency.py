"""Exactly once under concurrency: twenty officers' requests race to disburse one loan."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from loanflow.audit import services as audit
from loanflow.extensions import db
from loanflow.loans.models import Disbursement, Loan
from loanflow.loans.testing.factories import drive, open_loan

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases

RACERS = 20


@pytest.mark.truncate  # threads racing through connections of their own
def test_twenty_simultaneous_disbursements_pay_once_and_the_rest_get_409(app, login, funded, household):
    loan = drive(open_loan(funded["clerk"], household, "10000.00", 12), "credited", officer=funded["officer"])
    loan_id, version = loan.id, loan.version
    headers = login("officer2")
    db.session.remove()
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    bodies: list[dict] = []
    lock = threading.Lock()

    def race() -> None:
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            r = client.post(f"/api/v1/loans/{loan_id}/disburse", json={}, headers=headers)
            with lock:
                statuses.append(r.status_code)
                bodies.append(r.json)
            db.session.remove()

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(statuses) == [200] + [409] * (RACERS - 1), statuses
    assert all(b["allowed_actions"] is not None for b, s in zip(bodies, statuses, strict=True) if s == 409)
    assert db.session.scalar(select(func.count(Disbursement.id))) == 1
    assert db.session.get(Loan, loan_id).state == "disbursed"
    assert db.session.get(Loan, loan_id).version == version + 1
    assert audit.verify().ok
    assert [e.action for e in audit.timeline("loan", loan_id)].count("loan.disburse") == 1
