"""Extension (展期), recall (提前收回), compensation (风险代偿) and recovery, through the services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from loanflow.core.errors import Conflict, Forbidden, Invalid
from loanflow.extensions import db
from loanflow.loans.fund.services import claim_compensation, compensation_split, recover_loan
from loanflow.loans.models import FundEntry, LoanScheduleLine
from loanflow.loans.services.extensions import extend_loan, recall_loan, request_extension
from loanflow.loans.services.money import position_of
from loanflow.loans.services.queries import allowed_actions, fund_facts
from loanflow.loans.testing.factories import D, compensated, disbursed_loan, fill_fund, on_day, reload

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


@pytest.fixture
def loan(users):
    fill_fund(users)
    return disbursed_loan(users)


def test_an_extension_across_the_12_month_band_charges_3_50_percent_from_its_date(loan, users):
    with on_day("2027-01-10"):
        assert "request-extension" in allowed_actions(users["clerk"], loan)
        request_extension(users["clerk"], loan.id, 6, "牛价下跌，延迟出栏")
        loan = reload(loan)
        assert "extend" in allowed_actions(users["officer"], loan)
        assert loan.stage_due_on is not None  # the officer's deadline runs
    with on_day("2027-01-15"):
        extend_loan(users["officer"], loan.id)
        loan = reload(loan)
        pos = position_of(loan)
    assert (loan.extended_maturity_on, loan.extension_rate, loan.extension_count) == (
        date(2027, 9, 10),
        D("0.0350"),
        1,
    )
    assert loan.extension_requested_months is None and loan.stage_due_on is None
    # 20 Dec → 15 Jan at 3.00 % (26 days) and 15 Jan → 20 Mar at 3.50 % (64 days), rounded once:
    # (10,000 × 0.03 × 26 + 10,000 × 0.035 × 64) / 360 = 83.89; then 92 days × 3.5 % = 89.44
    assert [str(x.interest) for x in pos.lines] == [
        "8.33",
        "76.67",
        "76.67",
        "75.83",
        "83.89",
        "89.44",
        "79.72",
    ]
    assert [str(x.subsidy) for x in pos.lines][-3:] == ["83.89", "89.44", "79.72"]  # the subsidy continues
    stored = db.session.scalars(
        select(LoanScheduleLine)
        .where(LoanScheduleLine.loan_id == loan.id, LoanScheduleLine.revision == 1)
        .order_by(LoanScheduleLine.seq)
    )
    assert [(x.due_date, str(x.interest)) for x in stored][-1] == (date(2027, 9, 10), "79.72")


@pytest.mark.parametrize(
    ("term", "months", "allowed"),
    [(12, 13, 12), (6, 7, 6), (24, 13, 12), (13, 7, 6)],
)
def test_an_extension_longer_than_the_policy_allows_is_refused_with_the_limit(users, term, months, allowed):
    fill_fund(users)
    loan = disbursed_loan(users, term=term)
    with on_day("2026-04-01"), pytest.raises(Invalid) as refused:
        request_extension(users["clerk"], loan.id, months, "延迟出栏")
    assert f"more than the {allowed} the policy allows" in refused.value.errors["months"][0].en


def test_a_loan_is_extended_once_only(loan, users):
    with on_day("2026-04-01"):
        request_extension(users["clerk"], loan.id, 3, "延迟出栏")
        with pytest.raises(Conflict, match="already pending"):
            request_extension(users["clerk"], loan.id, 3, "again")
        extend_loan(users["officer"], loan.id)
        loan = reload(loan)
        assert "request-extension" not in allowed_actions(users["clerk"], loan)
        with pytest.raises(Conflict, match="may not be extended again"):
            request_extension(users["clerk"], loan.id, 1, "again")


def test_an_extension_needs_a_request_and_a_clerk_to_request_it(loan, users):
    with on_day("2026-04-01"):
        with pytest.raises(Conflict, match="no pending extension request"):
            extend_loan(users["officer"], loan.id)
        with pytest.raises(Forbidden):
            request_extension(users["officer"], loan.id, 3, "延迟出栏")


@pytest.fixture
def forget_policies():
    """The policy cache is keyed by version number: forget the versions this test published."""
    from loanflow.policy import services as policy

    yield
    policy._cache.clear()


def test_an_overdue_loan_cannot_ask_for_an_extension(users, forget_policies):
    from loanflow.core.domain.policy import default_policy_document
    from loanflow.policy.services import publish_policy

    document = default_policy_document()
    document["loan"]["subsidy_ratio"] = "0.80"  # the household pays a fifth of the interest
    publish_policy(users["admin"], document, "test: 80 % subsidy")
    fill_fund(users)
    loan = disbursed_loan(users)  # 1.67 of household interest due Friday 2026-03-20, left unpaid
    with on_day("2026-03-20"):
        assert "request-extension" in allowed_actions(users["clerk"], loan)
    with on_day("2026-03-23"):
        assert "request-extension" not in allowed_actions(users["clerk"], loan)
        with pytest.raises(Conflict, match="overdue"):
            request_extension(users["clerk"], loan.id, 1, "延迟出栏")


def test_an_extension_is_requested_before_maturity(users):
    fill_fund(users)
    loan = disbursed_loan(users, term=1)  # matures Friday 2026-04-10
    with on_day("2026-04-10"), pytest.raises(Conflict, match="before maturity"):
        request_extension(users["clerk"], loan.id, 1, "延迟出栏")


def test_a_recalled_loan_is_compensated_80_20_after_90_days_and_recoveries_go_back_in_proportion(loan, users):
    with on_day("2026-04-01"):
        recall_loan(users["officer"], loan.id, "贷款用于建房，挪用", date(2026, 4, 1))
        loan = reload(loan)
        pos = position_of(loan)
        # the running line ends today: 20 March → 1 April is 12 days, 10.00, all the treasury's
        assert (loan.state, pos.payoff, pos.lines[-1].subsidy) == ("recalled", D("10000.00"), D("10.00"))
    with on_day("2026-06-29"):  # 89 days unpaid
        assert "claim-compensation" not in allowed_actions(users["officer"], loan)
        with pytest.raises(Conflict, match="89 days"):
            claim_compensation(users["officer"], loan.id, "上门催收三次")
    with on_day("2026-06-30"):  # 90 days: 10,000 × 4.5 % × 90 / 360 = 112.50 penalty, never subsidised
        assert position_of(loan).payoff == D("10112.50")
        loan = compensated(users, loan)
    assert loan.state == "compensated"
    assert compensation_split(loan) == {
        "principal": D("10000.00"),
        "fund_paid": D("8000.00"),
        "bank_bore": D("2000.00"),
        "recovered": D("0.00"),
        "fund_recovered": D("0.00"),
    }
    assert fund_facts("341503").balance == D("92000.00")
    with on_day("2026-08-03"):
        # settled like a repayment: the 112.50 penalty first (the bank's), then 887.50 of principal
        recover_loan(users["officer"], loan.id, D("1000.00"))
        recover_loan(users["officer"], loan.id, D("0.05"))  # 887.55 × 80 % = 710.04 cumulative: 0.04 more
        with pytest.raises(Invalid, match="at most 9112.45 yuan"):
            recover_loan(users["officer"], loan.id, D("9112.46"))
    recoveries = db.session.scalars(
        select(FundEntry.amount).where(FundEntry.kind == "recovery").order_by(FundEntry.id)
    )
    assert list(recoveries) == [D("710.00"), D("0.04")]
    assert fund_facts("341503").balance == D("92710.04")
    assert compensation_split(reload(loan))["recovered"] == D("1000.05")


def test_an_overdue_loan_is_compensated_on_its_outstanding_principal_only(loan, users):
    from loanflow.loans.services.money import repay_loan
    from loanflow.loans.sweep import run_sweep

    with on_day("2026-05-01"):
        repay_loan(users["officer"], loan.id, D("2500.00"), date(2026, 5, 1), prepay=True)
    with on_day("2027-06-08"):  # matured 2027-03-10: 90 days
        run_sweep()
        assert fund_facts("341503").outstanding_principal == D("7500.00")
        split = compensation_split(compensated(users, loan, officer="officer2"))
    assert (split["fund_paid"], split["bank_bore"]) == (D("6000.00"), D("1500.00"))
    assert fund_facts("341503").outstanding_principal == D("0.00")


def test_a_36_month_loan_extended_by_12_months_takes_the_longest_bands_rate(users):
    fill_fund(users)
    loan = disbursed_loan(users, term=36)
    with on_day("2029-01-10"):
        request_extension(users["clerk"], loan.id, 12, "茶园遭冻害，延迟还款")
    with on_day("2029-01-15"):
        extend_loan(users["officer"], loan.id)  # 48 months: beyond every band of the table
        loan = reload(loan)
        last_line = position_of(loan).lines[-1]
    assert (loan.state, loan.extended_maturity_on, loan.extension_rate) == (
        "disbursed",
        date(2030, 3, 10),
        D("0.0350"),
    )
    assert (last_line.due_date, last_line.rate) == (date(2030, 3, 10), D("0.0350"))
