"""Repayments (还款) and their reversal (冲正), through the services; figures worked by hand."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import g
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from loanflow.audit import services as audit
from loanflow.core.errors import Conflict, Forbidden, Invalid
from loanflow.extensions import db
from loanflow.loans.models import Repayment
from loanflow.loans.services.extensions import recall_loan
from loanflow.loans.services.money import position_of, repay_loan, reverse_repayment
from loanflow.loans.services.queries import allowed_actions
from loanflow.loans.sweep import run_sweep
from loanflow.loans.testing.factories import D, disbursed_loan, fill_fund, on_day, reload

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


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


def test_reversing_the_payoff_of_a_recalled_loan_brings_it_back_recalled_not_overdue(loan, users):
    with on_day("2026-05-01"):
        recall_loan(users["officer"], loan.id, "贷款挪用于建房")
        payoff = position_of(reload(loan)).payoff
        paid = repay_loan(users["officer"], loan.id, payoff, date(2026, 5, 1))
        assert reload(loan).state == "repaid"
        reverse_repayment(users["officer2"], loan.id, paid.id, "转账被退回")
        loan = reload(loan)
        assert (loan.state, loan.closed_on, loan.recalled_on) == ("recalled", None, date(2026, 5, 1))
        assert position_of(loan).payoff == payoff  # everything is due again, as at the recall
        assert "repay" in allowed_actions(users["officer"], loan)


def test_reversal_is_offered_only_to_an_officer_who_did_not_record_every_live_repayment(loan, users):
    officer, officer2 = users["officer"], users["officer2"]
    with on_day("2026-05-01"):
        repay_loan(officer, loan.id, D("100.00"), date(2026, 5, 1))
        repay_loan(officer, loan.id, D("200.00"), date(2026, 5, 1))
        loan = reload(loan)
        assert "reverse-repayment" not in allowed_actions(officer, loan)
        assert "reverse-repayment" in allowed_actions(officer2, loan)
        with pytest.raises(Forbidden, match="Four eyes"):  # 403, as the page did not offer it
            reverse_repayment(officer, loan.id, 1, "typed twice")
        theirs = repay_loan(officer2, loan.id, D("50.00"), date(2026, 5, 1))
        assert "reverse-repayment" in allowed_actions(officer, reload(loan))  # officer2's is there to reverse
        reverse_repayment(officer, loan.id, theirs.id, "typed 50 for 5")
        assert "reverse-repayment" not in allowed_actions(officer, reload(loan))  # only their own are left


def test_the_same_idempotency_key_records_a_repayment_once_even_when_the_first_answer_was_lost(loan, users):
    g.idempotency_key = "repay-2026-05-01-a"
    try:
        with on_day("2026-05-01"):
            first = repay_loan(users["officer"], loan.id, D("300.00"), date(2026, 5, 1))
            with pytest.raises(Conflict) as again:
                repay_loan(users["officer"], loan.id, D("300.00"), date(2026, 5, 1))
            other = repay_loan(
                users["officer2"], loan.id, D("300.00"), date(2026, 5, 1)
            )  # keys are per officer
            payoff = position_of(reload(loan)).payoff
    finally:
        g.pop("idempotency_key")
    assert "already recorded under this Idempotency-Key" in again.value.message.en
    assert f"还款 {first.id}" in again.value.message.zh and "已按此幂等键" in again.value.message.zh
    assert (first.idempotency_key, other.idempotency_key) == ("repay-2026-05-01-a", "repay-2026-05-01-a")
    assert db.session.scalar(select(func.count(Repayment.id))) == 2
    assert payoff == D("9400.00")


def test_the_database_refuses_a_second_repayment_under_one_officers_key(loan, users):
    row = dict(
        loan_id=loan.id, paid_on=date(2026, 5, 1), amount=D("1.00"), recorded_by_id=users["officer"].id
    )
    row.update(recorded_at=loan.created_at, idempotency_key="k")
    db.session.execute(insert(Repayment).values(**row))
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Repayment).values(**row))
    db.session.rollback()


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "10.005"])
def test_a_repayment_that_is_not_a_positive_amount_in_fen_is_refused_wholly_in_chinese(loan, users, amount):
    with on_day("2026-05-01"), pytest.raises(Invalid) as refused:
        repay_loan(users["officer"], loan.id, D(amount), date(2026, 5, 1))
    reason = refused.value.errors["amount"][0]
    assert reason.zh.startswith("不能入账：还款金额须为大于零且精确到分的金额")
    assert re.search(r"[A-Za-z]", reason.zh) is None  # no English left in the Chinese
    assert "positive amount in whole fen" in reason.en
    assert db.session.scalar(select(func.count(Repayment.id))) == 0
