"""The daily sweep stores overdue and cured loans once, however often and on however many nodes it runs."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from loanflow.audit import services as audit
from loanflow.audit.models import AuditEvent
from loanflow.core import uow
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.services.money import repay_loan
from loanflow.loans.sweep import run_sweep
from loanflow.loans.testing.factories import D, disbursed_loan, fill_fund, free_households, on_day

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


MATURED = "2027-03-20"  # ten days after the 12-month loans of 2026-03-10 matured


def sweep_events() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "loan.sweep"))


def three_loans(users) -> list[int]:
    fill_fund(users)
    return [disbursed_loan(users, "5000.00", household=h).id for h in free_households()[:3]]


def test_the_sweep_stores_overdue_once_and_a_second_run_changes_nothing(users):
    ids = three_loans(users)
    with on_day("2027-03-10"):  # due today, not yet overdue
        assert run_sweep().as_dict()["became_overdue"] == 0
    with on_day(MATURED):
        first, second = run_sweep(), run_sweep()
    assert (len(first.became_overdue), len(second.became_overdue), second.checked) == (3, 0, 3)
    assert sweep_events() == 3
    states = db.session.scalars(select(Loan.state).where(Loan.id.in_(ids)))
    assert set(states) == {"overdue"}
    assert audit.verify().ok


def test_a_loan_paid_up_after_the_sweep_is_cured_by_the_repayment(users):
    ids = three_loans(users)
    with on_day(MATURED):
        run_sweep()
        # 10 days late: 5,000 × 4.5 % × 10 / 360 = 6.25 penalty
        repay_loan(users["officer"], ids[0], D("5006.25"), date(2027, 3, 20))
        assert run_sweep().as_dict()["cured"] == 0
    db.session.expire_all()
    assert db.session.get(Loan, ids[0]).state == "repaid"


def test_an_overdue_loan_brought_up_to_date_goes_back_to_disbursed(users):
    from loanflow.core.domain.policy import default_policy_document
    from loanflow.policy import services as policy

    document = default_policy_document()
    document["loan"]["subsidy_ratio"] = "0.80"  # the household owes a fifth of the interest
    policy.publish_policy(users["admin"], document, "test: 80 % subsidy")
    try:
        fill_fund(users)
        loan_id = disbursed_loan(users).id  # 1.67 of household interest due Friday 2026-03-20
        with on_day("2026-03-30"):
            assert run_sweep().as_dict()["became_overdue"] == 1
            # 1.67 × 4.5 % × 10 / 360 = 0.002 → 0.00 of compound interest
            repay_loan(users["officer"], loan_id, D("1.67"), date(2026, 3, 30))
        db.session.expire_all()
        loan = db.session.get(Loan, loan_id)
        assert (loan.state, loan.overdue_since) == ("disbursed", None)
    finally:
        policy._cache.clear()  # the cache is keyed by version number


@pytest.mark.truncate  # threads racing through connections of their own
def test_two_nodes_sweeping_at_once_store_each_change_once(app, users):
    ids = three_loans(users)
    uow.commit()  # the nodes read the loans from their own sessions
    db.session.remove()
    barrier = threading.Barrier(4)
    results = []
    lock = threading.Lock()

    def node() -> None:
        with app.app_context():
            barrier.wait()
            result = run_sweep(date.fromisoformat(MATURED))
            with lock:
                results.append(result)
            db.session.remove()

    threads = [threading.Thread(target=node) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(r.became_overdue) for r in results) == 3
    assert sweep_events() == 3
    assert set(db.session.scalars(select(Loan.state).where(Loan.id.in_(ids)))) == {"overdue"}
    assert audit.verify().ok


def test_the_sweep_and_claims_commands_run_from_the_command_line(app, users, tmp_path):
    three_loans(users)
    runner = app.test_cli_runner()
    with on_day(MATURED):
        out = runner.invoke(args=["loanflow", "sweep"])
        assert out.exit_code == 0 and '"became_overdue": 3' in out.output
        path = tmp_path / "claims.xlsx"
        out = runner.invoke(
            args=["loanflow", "claims", "--quarter", "2026Q2", "--branch", "1", "--out", str(path)]
        )
        assert out.exit_code == 0, out.output
        # 5,000 × 3 % × 92 / 360 = 38.33 for each of three loans on 20 June
        assert "3 lines, interest 114.99, subsidy 114.99" in out.output and path.stat().st_size > 0
        bad = runner.invoke(
            args=["loanflow", "claims", "--quarter", "2026-2", "--branch", "1", "--out", str(path)]
        )
        assert bad.exit_code == 2 and "2026Q1" in bad.output
