"""The county fund's leverage (风险补偿金放大倍数): credit not yet disbursed counts, disbursement checks again,
and two credits racing at the edge of the ceiling cannot both pass."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from loanflow.core import uow
from loanflow.core.domain.policy import default_policy_document
from loanflow.core.errors import Invalid
from loanflow.extensions import db
from loanflow.loans.fund.services import fund_view
from loanflow.loans.models import Disbursement, Loan
from loanflow.loans.services import apply as loan_apply
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.testing.factories import (
    FULL_MARKS,
    D,
    disbursed_loan,
    fill_fund,
    free_households,
    on_day,
    reload,
)
from loanflow.policy.services import publish_policy

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases

TODAY = date(2026, 3, 10)


def rated_loan(users, household, amount: str = "20000.00") -> Loan:
    head = next(m for m in household.members if m.relation == "head")
    with on_day(TODAY):
        loan = loan_apply.apply_for_loan(
            users["clerk"],
            {
                "household_id": household.id,
                "borrower_id_number": head.id_number,
                "amount": D(amount),
                "term_months": 12,
                "purpose": "livestock",
                "consent": True,
            },
        )
        return loan_credit.rate_loan(users["officer"], loan.id, dict(FULL_MARKS))


@pytest.fixture
def at_the_edge(users, forget_policies):
    """9,000 in the fund (a ceiling of 90,000), 60,000 lent: 30,000 of room; two loans rated for 20,000."""
    fill_fund(users, "9000.00")
    households = free_households()
    disbursed_loan(users, "50000.00", household=households[0])
    disbursed_loan(users, "10000.00", household=households[1])
    return [rated_loan(users, h) for h in households[2:4]]


@pytest.fixture
def forget_policies():
    from loanflow.policy import services as policy

    yield
    policy._cache.clear()


def test_a_second_credit_past_the_ceiling_is_refused_because_the_first_credit_counts_before_disbursement(
    users, at_the_edge
):
    first, second = at_the_edge
    with on_day(TODAY):
        loan_credit.credit_loan(users["officer"], first.id, D("20000.00"), 12)
        with pytest.raises(Invalid) as refused:
            loan_credit.credit_loan(users["officer"], second.id, D("20000.00"), 12)
        reason = refused.value.errors["amount"][0]
        # 60,000 lent + 20,000 credited + 20,000 = 100,000, above 9,000 × 10
        for figure in ("9000.00", "90000.00", "60000.00", "20000.00", "100000.00"):
            assert figure in reason.zh and figure in reason.en
        assert "已授信未放款 20000.00" in reason.zh
        assert reload(second).state == "rated" and reload(second).credited_amount is None
        loan_credit.disburse_loan(users["officer2"], first.id)
    view = fund_view(users["officer"])
    assert (view.outstanding_principal, view.committed, view.headroom) == (D("80000.00"), 0, D("10000.00"))


def test_the_fund_shows_credit_not_yet_disbursed_and_the_room_left_after_it(users, at_the_edge):
    with on_day(TODAY):
        loan_credit.credit_loan(users["officer"], at_the_edge[0].id, D("20000.00"), 12)
        view = fund_view(users["officer"])
    assert (view.ceiling, view.outstanding_principal, view.committed, view.headroom) == (
        D("90000.00"),
        D("60000.00"),
        D("20000.00"),
        D("10000.00"),
    )


def test_a_disbursement_the_fund_no_longer_backs_is_refused_with_the_figures_and_pays_nothing(
    users, at_the_edge
):
    first = at_the_edge[0]
    with on_day(TODAY):
        loan_credit.credit_loan(users["officer"], first.id, D("20000.00"), 12)
        lower = default_policy_document()
        lower["loan"]["fund_leverage"] = 8  # 72,000: the 60,000 lent leave 12,000, not 20,000
        publish_policy(users["admin"], lower, "杠杆下调")
        with pytest.raises(Invalid) as refused:
            loan_credit.disburse_loan(users["officer2"], first.id)
    for figure in ("72000.00", "60000.00", "20000.00", "80000.00"):
        assert figure in refused.value.errors["amount"][0].en
    assert reload(first).state == "credited"
    assert db.session.scalar(select(func.count(Disbursement.id)).where(Disbursement.loan_id == first.id)) == 0


@pytest.mark.truncate  # threads racing through connections of their own
def test_two_credits_racing_at_the_edge_of_the_ceiling_pass_once(app, users, at_the_edge):
    """On PostgreSQL the county's fund lock orders them; on SQLite the write lock of BEGIN IMMEDIATE."""
    ids = [loan.id for loan in at_the_edge]
    officer_id = users["officer"].id
    uow.commit()  # the threads read the loans from their own sessions
    db.session.remove()
    barrier = threading.Barrier(len(ids), timeout=30)
    outcomes: dict[int, str] = {}
    guard = threading.Lock()

    def credit(loan_id: int) -> None:
        with app.app_context():
            from loanflow.accounts.models import User

            barrier.wait()  # the business date is the suite's, 2026-03-10 (no on_day: config is shared)
            officer = db.session.get(User, officer_id)
            try:
                loan_credit.credit_loan(officer, loan_id, D("20000.00"), 12)
                uow.commit()
                outcome = "credited"
            except Invalid as e:
                outcome = e.errors["amount"][0].en
            with guard:
                outcomes[loan_id] = outcome
            db.session.remove()

    threads = [threading.Thread(target=credit, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o == "credited" for o in outcomes.values()) == [False, True], outcomes
    refused = next(o for o in outcomes.values() if o != "credited")
    assert "100000.00" in refused and "90000.00" in refused
    states = db.session.scalars(select(Loan.state).where(Loan.id.in_(ids)))
    assert sorted(states) == ["credited", "rated"]
