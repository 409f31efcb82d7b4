"""The loan cases a county auditor disputed (issue 9), through the services, to the fen.

Early instalments are advances; the plan in force and its revisions; recoveries after
compensation; no reversal across a compensation; the claim decided by the county;
the agreement's own extension limit; a declined extension.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from loanflow.core import uow
from loanflow.core.errors import Conflict, Forbidden, Invalid
from loanflow.extensions import db
from loanflow.loans import documents as loan_documents
from loanflow.loans.fund.services import (
    approve_compensation,
    claim_compensation,
    compensation_split,
    recover_loan,
    refuse_compensation,
)
from loanflow.loans.models import FundEntry, LoanPlanRevision
from loanflow.loans.services.extensions import (
    decline_extension,
    extend_loan,
    recall_loan,
    request_extension,
)
from loanflow.loans.services.money import repay_loan, reverse_repayment
from loanflow.loans.services.plan import plan_of
from loanflow.loans.services.position import position_of
from loanflow.loans.services.queries import allowed_actions
from loanflow.loans.sweep import run_sweep
from loanflow.loans.testing.factories import (
    D,
    compensated,
    disbursed_loan,
    fill_fund,
    free_households,
    on_day,
    reload,
    use_method,
)

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


@pytest.fixture
def funded(users):
    fill_fund(users)
    return users


def interest(plan) -> list[str]:
    return [str(x.interest) for x in plan.lines]


# --- 1. an instalment brought early is an advance --------------------------------------------------


def test_the_first_instalment_brought_two_days_early_leaves_nothing_due_and_no_penalty(funded):
    use_method("equal_principal")
    loan = disbursed_loan(funded, "12000.00", 12, date(2026, 1, 15))
    with on_day("2026-03-18"):
        repayment = repay_loan(funded["officer"], loan.id, D("2400.00"))
        uow.commit()
        pos = position_of(reload(loan))
    assert repayment.allocation["advance"] == "2400.00"
    assert repayment.allocation["prepaid_principal"] == "0.00"
    assert (pos.advance, pos.outstanding_principal, pos.payoff) == (D("2400.00"), D("12000.00"), D("9600.00"))
    with on_day("2026-03-23"):
        run_sweep()
        loan = reload(loan)
        pos = position_of(loan)
        plan = plan_of(loan)
    assert loan.state == "disbursed"
    assert (pos.due_now, pos.overdue, pos.advance) == (D("0.00"), False, D("0.00"))
    assert sum(x.penalty for x in pos.lines) == 0
    assert (plan.revision, [str(x.principal) for x in plan.lines]) == (0, ["2400.00"] * 5)
    assert (plan.lines[0].paid, plan.lines[0].still_due) == (D("2400.00"), D("0.00"))
    assert pos.outstanding_principal == D("9600.00")


def test_the_same_instalment_with_prepay_lowers_every_later_line_instead(funded):
    use_method("equal_principal")
    loan = disbursed_loan(funded, "12000.00", 12, date(2026, 1, 15))
    with on_day("2026-03-18"):
        repay_loan(funded["officer"], loan.id, D("2400.00"), prepay=True)
        uow.commit()
        plan = plan_of(reload(loan))
    assert (plan.revision, plan.cause) == (1, "prepayment")
    assert [str(x.principal) for x in plan.lines] == ["1920.00"] * 5


# --- 2. the plan in force, with numbered revisions ---------------------------------------------------


def test_after_a_100_prepayment_the_plan_in_force_is_29900_with_its_interest_recomputed(funded):
    loan = disbursed_loan(funded, "30000.00", 24, date(2026, 11, 30))
    with on_day("2026-11-30"):
        repayment = repay_loan(funded["officer"], loan.id, D("100.00"), prepay=True)
        uow.commit()
        loan = reload(loan)
        plan, first = plan_of(loan), plan_of(loan, revision=0)
        pos = position_of(loan)
    assert (loan.plan_revision, plan.revision, plan.cause, plan.effective_on) == (
        1,
        1,
        "prepayment",
        date(2026, 11, 30),
    )
    assert interest(plan)[:2] == ["58.14", "261.63"]
    assert plan.lines[-1].principal == D("29900.00") == pos.payoff
    assert (interest(first)[:2], first.lines[-1].principal, first.cause) == (
        ["58.33", "262.50"],
        D("30000.00"),
        "disbursement",
    )
    made = db.session.scalars(select(LoanPlanRevision).where(LoanPlanRevision.loan_id == loan.id)).all()
    assert [(r.number, r.cause, r.repayment_id) for r in made] == [
        (0, "disbursement", None),
        (1, "prepayment", repayment.id),
    ]
    receipt = loan_documents.loan_receipt_view(loan)
    assert receipt.receipt_no.endswith("-J1") and receipt.prepaid_principal == D("100.00")
    assert [str(x.interest) for x in receipt.lines] == interest(plan)
    assert receipt.lines[-1].principal == D("29900.00")


def test_a_reversal_a_recall_and_an_extension_each_make_a_revision_of_the_plan(funded):
    loan = disbursed_loan(funded, "30000.00", 24, date(2026, 11, 30))
    with on_day("2026-11-30"):
        repayment = repay_loan(funded["officer"], loan.id, D("100.00"), prepay=True)
        uow.commit()
    with on_day("2026-12-01"):
        reverse_repayment(funded["officer2"], loan.id, repayment.id, "金额录错")
        uow.commit()
        plan = plan_of(reload(loan))
    assert (plan.revision, plan.cause) == (2, "reversal")
    assert interest(plan)[:2] == ["58.33", "262.50"] and plan.lines[-1].principal == D("30000.00")

    other = disbursed_loan(funded, "10000.00", 12, date(2026, 3, 10), household=free_households()[1])
    with on_day("2026-04-01"):
        recall_loan(funded["officer"], other.id, "挪用于建房")
        uow.commit()
        recalled = plan_of(reload(other))
    assert (recalled.revision, recalled.cause) == (1, "recall")
    assert [(x.due_date, x.principal) for x in recalled.lines] == [
        (date(2026, 3, 20), D("0.00")),
        (date(2026, 4, 1), D("10000.00")),
    ]  # no quarterly lines to maturity any more

    third = disbursed_loan(funded, "10000.00", 12, date(2026, 3, 10), household=free_households()[2])
    with on_day("2027-01-10"):
        request_extension(funded["clerk"], third.id, 6, "牛价下跌，延迟出栏")
        uow.commit()
    with on_day("2027-01-15"):
        extend_loan(funded["officer"], third.id)
        uow.commit()
        extended = plan_of(reload(third))
        pos = position_of(reload(third))
    assert (extended.revision, extended.cause) == (1, "extension")
    assert pos.rate == D("0.0350") == extended.lines[-1].rate
    assert interest(extended)[-3:] == ["83.89", "89.44", "79.72"]


def test_an_advance_or_a_repayment_of_what_is_due_makes_no_new_revision(funded):
    use_method("equal_principal")
    loan = disbursed_loan(funded, "12000.00", 12, date(2026, 1, 15))
    with on_day("2026-03-20"):
        repay_loan(funded["officer"], loan.id, D("2400.00"))  # the instalment due today
        uow.commit()
    with on_day("2026-05-01"):
        repay_loan(funded["officer"], loan.id, D("500.00"))  # an advance on the next one
        uow.commit()
        loan = reload(loan)
        assert (loan.plan_revision, position_of(loan).advance) == (0, D("500.00"))
    assert db.session.scalar(select(LoanPlanRevision.number).order_by(LoanPlanRevision.number.desc())) == 0


# --- 4. recoveries after compensation ---------------------------------------------------------------


def test_a_full_recovery_gives_the_fund_back_its_8000_and_the_penalty_stays_with_the_bank(funded):
    loan = disbursed_loan(funded, "10000.00", 12, date(2026, 3, 10))
    with on_day("2026-04-01"):
        recall_loan(funded["officer"], loan.id, "挪用于建房")
        uow.commit()
    with on_day("2026-06-30"):  # day 90: 10,000 principal + 112.50 penalty
        loan = compensated(funded, loan)
    with on_day("2026-08-03"):
        recover_loan(funded["officer"], loan.id, D("10112.50"))
        uow.commit()
    split = compensation_split(reload(loan))
    assert (split["fund_paid"], split["bank_bore"], split["fund_recovered"]) == (
        D("8000.00"),
        D("2000.00"),
        D("8000.00"),
    )
    recoveries = db.session.scalars(select(FundEntry.amount).where(FundEntry.kind == "recovery")).all()
    assert recoveries == [D("8000.00")]  # not 8,090.00: 80 % of the bank's penalty is not the fund's


# --- 5. no reversal across a compensation ----------------------------------------------------------


def _repaid_4000_then_compensated(funded):
    loan = disbursed_loan(funded, "10000.00", 12, date(2026, 3, 10))
    with on_day("2027-04-01"):  # 22 days late: 27.50 penalty, then 3,972.50 of principal
        repayment = repay_loan(funded["officer"], loan.id, D("4000.00"))
        uow.commit()
    with on_day("2027-06-08"):  # 90 days after maturity
        run_sweep()
        uow.commit()
        loan = compensated(funded, loan, officer="officer2")
    return loan, repayment


def test_a_repayment_dated_before_the_compensation_cannot_be_reversed(funded):
    loan, repayment = _repaid_4000_then_compensated(funded)
    split = compensation_split(loan)
    assert (split["principal"], split["fund_paid"]) == (D("6027.50"), D("4822.00"))
    with on_day("2027-06-09"):
        assert "reverse-repayment" not in allowed_actions(funded["officer2"], loan)
        with pytest.raises(Conflict, match="before the compensation"):
            reverse_repayment(funded["officer2"], loan.id, repayment.id, "金额录错")
    assert reload(loan).principal_outstanding == D("6027.50")
    assert db.session.get(type(repayment), repayment.id).reversed_at is None


# --- 6. the claim, decided by the county ----------------------------------------------------------


def _recalled_90_days(funded):
    loan = disbursed_loan(funded, "10000.00", 12, date(2026, 3, 10))
    with on_day("2026-04-01"):
        recall_loan(funded["officer"], loan.id, "挪用于建房")
        uow.commit()
    return loan


def test_a_claim_waits_for_a_county_approver_with_ten_working_days_and_the_fund_pays_on_approval(funded):
    loan = _recalled_90_days(funded)
    with on_day("2026-06-30"):
        with pytest.raises(Invalid, match="collect"):
            claim_compensation(funded["officer"], loan.id, "  ")
        claim_compensation(funded["officer"], loan.id, "三次上门催收，两次书面函告")
        uow.commit()
        loan = reload(loan)
        assert (loan.state, loan.claimed_from, loan.claim_note) == (
            "compensation_claimed",
            "recalled",
            "三次上门催收，两次书面函告",
        )
        assert loan.stage_due_on == date(2026, 7, 14)  # 10 working days after Tuesday 30 June
        receipt = loan_documents.loan_household_receipt_view(loan)  # the household's 回执 says so
        assert "待县扶贫办审批" in receipt.next_step and receipt.due_by == date(2026, 7, 14)
        assert db.session.scalar(select(FundEntry.id).where(FundEntry.kind == "payout")) is None
        assert allowed_actions(funded["officer"], loan) == []  # the bank never pays itself
        assert allowed_actions(funded["approver"], loan) == []  # a township approver may not decide
        assert allowed_actions(funded["approver2"], loan) == ["approve-compensation", "refuse-compensation"]
        with pytest.raises(Forbidden, match="county"):
            approve_compensation(funded["approver"], loan.id)
    with on_day("2026-07-02"):
        approve_compensation(funded["approver2"], loan.id)
        uow.commit()
        loan = reload(loan)
    assert (loan.state, loan.compensated_on, loan.stage_due_on) == ("compensated", date(2026, 7, 2), None)
    payout = db.session.scalar(select(FundEntry).where(FundEntry.kind == "payout"))
    assert (payout.amount, payout.entry_date) == (D("8000.00"), date(2026, 7, 2))


def test_a_refused_claim_goes_back_where_it_was_with_the_reason_and_may_be_claimed_again(funded):
    loan = _recalled_90_days(funded)
    with on_day("2026-06-30"):
        claim_compensation(funded["officer"], loan.id, "电话催收一次")
        uow.commit()
        with pytest.raises(Invalid):
            refuse_compensation(funded["approver2"], loan.id, "")
        refuse_compensation(funded["approver2"], loan.id, "催收不充分：未上门走访")
        uow.commit()
        loan = reload(loan)
        assert (loan.state, loan.claim_refusal_reason, loan.stage_due_on) == (
            "recalled",
            "催收不充分：未上门走访",
            None,
        )
        assert db.session.scalar(select(FundEntry.id).where(FundEntry.kind == "payout")) is None
        assert "claim-compensation" in allowed_actions(funded["officer"], loan)


# --- 7. the agreement's extension clause -----------------------------------------------------------


@pytest.mark.parametrize(("term", "longest"), [(6, 6), (13, 6), (12, 12), (36, 12)])
def test_the_agreement_states_the_loans_own_longest_extension(funded, term, longest):
    loan = disbursed_loan(funded, "10000.00", term, date(2026, 3, 10))
    assert loan_documents.loan_agreement_view(loan).extension_max_months == longest


# --- 8. decline-extension ------------------------------------------------------------------------


def test_a_declined_extension_clears_the_request_keeps_the_reason_and_lets_the_clerk_ask_again(funded):
    loan = disbursed_loan(funded, "10000.00", 12, date(2026, 3, 10))
    with on_day("2027-01-10"):
        request_extension(funded["clerk"], loan.id, 6, "牛价下跌，延迟出栏")
        uow.commit()
        assert "decline-extension" in allowed_actions(funded["officer"], reload(loan))
        with pytest.raises(Invalid):
            decline_extension(funded["officer"], loan.id, " ")
        decline_extension(funded["officer"], loan.id, "经营正常，有还款能力")
        uow.commit()
        loan = reload(loan)
    assert (loan.state, loan.extension_requested_months, loan.stage_due_on) == ("disbursed", None, None)
    assert (loan.extension_declined_on, loan.extension_declined_reason) == (
        date(2027, 1, 10),
        "经营正常，有还款能力",
    )
    assert loan.extension_count == 0 and loan.plan_revision == 0
    with on_day("2027-01-11"):
        assert "request-extension" in allowed_actions(funded["clerk"], loan)
        with pytest.raises(Conflict):
            decline_extension(funded["officer"], loan.id, "没有待审批的申请")
