"""Repayments (还款) and their reversal (冲正), through the services; figures worked by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from loanflow.extensions import db
from loanflow.models import Repayment
from loanflow.services import audit
from loanflow.services.errors import Forbidden, Invalid
from loanflow.services.loan_money import position_of, repay_loan, reverse_repayment
from loanflow.services.sweep import run_sweep
from tests.services.test_loan_money_support import D, disbursed_loan, fill_fund, on_day, reload
from tests.services.test_loans_fixtures import demo as demo  # the county without seeded cases


@pytest.fixture
def loan(users):
    fill_fund(users)
    return disbursed_loan(users)


def test_a_fresh_loan_owes_its_principal_and_nothing_is_due(loan):
    pos = position_of(loan)
    assert (pos.payoff, pos.due_now, pos.days_overdue) == (D("10000.00"), D("0.00"), 0)


def test_a_repayment_30_days_late_pays_penalty_interest_and_the_treasury_pays_nothing_after_maturity(
    loan, users
):
    # 10,000 at 3.00 %, balloon, matures Wednesday 2027-03-10; the subsidy ratio is 100 %,
    # so the household owes only principal on the due dates. 30 days late:
    # penalty 10,000 × (3.00 % × 1.5) × 30 / 360 = 37.50, never subsidised.
    with on_day("2027-04-09"):
        assert run_sweep().as_dict()["became_overdue"] == 1
        loan = reload(loan)
        assert (loan.state, loan.overdue_since) == ("overdue", date(2027, 3, 10))
        pos = position_of(loan)
        assert pos.days_overdue == 30
        assert (pos.due_now_owed.principal, pos.due_now_owed.penalty, pos.due_now_owed.interest) == (
            D("10000.00"),
            D("37.50"),
            D("0.00"),
        )
        assert pos.payoff == D("10037.50")
        # the treasury's share stops at maturity: 8.33 + 76.67 + 76.67 + 75.83 + 66.67
        assert sum(line.subsidy for line in pos.lines) == D("304.17")
        repayment = repay_loan(users["officer"], loan.id, D("10037.50"), date(2027, 4, 9))
    assert repayment.allocation["penalty"] == "37.50"
    assert repayment.allocation["principal"] == "10000.00"
    assert repayment.allocation["prepaid_principal"] == "0.00"
    loan = reload(loan)
    assert (loan.state, loan.closed_on, loan.principal_outstanding) == ("repaid", date(2027, 4, 9), D("0.00"))


def test_paying_the_payoff_mid_period_closes_the_loan(loan, users):
    # 2026-03-10 → 2026-05-01 is 52 days of interest, all the treasury's: the household owes 10,000.00
    with on_day("2026-05-01"):
        assert position_of(loan).payoff == D("10000.00")
        repay_loan(users["officer"], loan.id, D("10000.00"), date(2026, 5, 1))
        loan = reload(loan)
        assert loan.state == "repaid" and position_of(loan).payoff == 0


@pytest.mark.parametrize(
    ("amount", "on", "field", "words"),
    [
        ("10000.01", "2026-05-01", "amount", "10000.00"),
        ("100.00", "2026-06-01", "date", "after today"),
        ("100.00", "2026-03-09", "date", "before the loan's previous event"),
    ],
)
def test_a_repayment_that_cannot_be_taken_is_refused_naming_the_field(loan, users, amount, on, field, words):
    with on_day("2026-05-01"), pytest.raises(Invalid) as refused:
        repay_loan(users["officer"], loan.id, D(amount), date.fromisoformat(on))
    assert field in refused.value.errors
    assert words in refused.value.errors[field][0].en
    assert db.session.scalar(select(func.count(Repayment.id))) == 0


def test_a_repayment_may_not_be_dated_before_the_previous_repayment(loan, users):
    with on_day("2026-05-01"):
        repay_loan(users["officer"], loan.id, D("100.00"), date(2026, 4, 20))
        with pytest.raises(Invalid, match="previous event"):
            repay_loan(users["officer"], loan.id, D("100.00"), date(2026, 4, 19))


def test_the_officer_who_recorded_a_repayment_may_not_reverse_it_but_another_restores_the_position(
    loan, users
):
    with on_day("2026-05-01"):
        before = position_of(loan)
        mistyped = repay_loan(users["officer"], loan.id, D("4000.00"), date(2026, 5, 1))
        assert position_of(reload(loan)).payoff == D("6000.00")
        with pytest.raises(Forbidden, match="Four eyes"):
            reverse_repayment(users["officer"], loan.id, mistyped.id, "typed 4000 for 400")
        reversed_ = reverse_repayment(users["officer2"], loan.id, mistyped.id, "typed 4000 for 400")
        after = position_of(reload(loan))
    assert reversed_.is_reversed and reversed_.amount == D("4000.00")  # marked, never deleted
    assert (after.payoff, after.outstanding_principal) == (before.payoff, D("10000.00"))
    assert [line.interest for line in after.lines] == [line.interest for line in before.lines]
    actions = [e.action for e in audit.timeline("loan", loan.id)]
    assert actions[-2:] == ["loan.repay", "loan.reverse-repayment"]


def test_reversing_the_repayment_that_closed_a_loan_reopens_it(loan, users):
    with on_day("2026-05-01"):
        paid = repay_loan(users["officer"], loan.id, D("10000.00"), date(2026, 5, 1))
        assert reload(loan).state == "repaid"
        reverse_repayment(users["officer2"], loan.id, paid.id, "the transfer bounced")
        loan = reload(loan)
    assert (loan.state, loan.closed_on, loan.principal_outstanding) == ("disbursed", None, D("10000.00"))
