"""The loan ledger: what a household owes and how its repayments are split, figures worked by hand."""

from datetime import date
from decimal import Decimal

import pytest

from loanflow.core.domain.policy import Policy, default_policy_document
from loanflow.loans.domain.ledger import (
    Extension,
    LedgerError,
    LoanTerms,
    PaymentExceedsPayoff,
    Recall,
    Repayment,
    extended_maturity,
    max_extension_months,
    position,
    subsidy_claims,
)
from loanflow.loans.domain.schedule import build_schedule

D = Decimal
POLICY = Policy(default_policy_document())


def terms(amount="10000.00", on=date(2026, 3, 10), months=12, method="balloon", ratio="1.00", rate="0.0300"):
    return LoanTerms(
        amount=D(amount),
        annual_rate=D(rate),
        disbursed_on=on,
        term_months=months,
        method=method,
        subsidy_ratio=D(ratio),
        penalty_rate=POLICY.penalty_rate(D(rate)),
        compound_rate=POLICY.compound_rate(D(rate)),
    )


BALLOON = terms()
SHARED = terms(ratio="0.80")  # the household pays 20 % of the interest
EQUAL = terms("12000.00", date(2026, 1, 15), method="equal_principal")


def interest(pos):
    return [str(line.interest) for line in pos.lines]


def test_without_events_the_ledger_shows_the_schedule_fixed_at_disbursement():
    for loan in (BALLOON, SHARED, EQUAL):
        pos = position(loan, [], loan.disbursed_on)
        plan = build_schedule(
            loan.amount, loan.annual_rate, loan.disbursed_on, 12, loan.method, loan.subsidy_ratio
        )
        assert [(x.due_date, x.principal, x.interest, x.subsidy) for x in pos.lines] == [
            (x.due_date, x.principal, x.interest, x.subsidy) for x in plan
        ]
        assert pos.payoff == loan.amount
        assert pos.due_now == 0


def test_the_household_share_of_each_line_is_what_the_treasury_does_not_pay():
    pos = position(SHARED, [], date(2026, 3, 10))
    assert [(str(x.subsidy), str(x.household_interest)) for x in pos.lines] == [
        ("6.66", "1.67"),
        ("61.34", "15.33"),
        ("61.34", "15.33"),
        ("60.66", "15.17"),
        ("53.34", "13.33"),
    ]


def test_payoff_in_mid_period_adds_the_household_share_of_interest_accrued_to_today():
    # 2026-03-20 → 2026-05-01 is 42 days: 35.00 interest, 28.00 subsidy, 7.00 household
    pos = position(SHARED, [Repayment(date(2026, 3, 20), D("1.67"))], date(2026, 5, 1))
    assert pos.due_now == 0
    assert pos.accrued_interest == D("7.00")
    assert pos.payoff == D("10007.00")


def test_a_prepayment_in_mid_period_stops_interest_on_the_prepaid_principal_that_day():
    pos = position(BALLOON, [Repayment(date(2026, 5, 1), D("4000.00"), "r1", prepay=True)], date(2026, 5, 1))
    # line 2: 10,000 for 42 days + 6,000 for 50 days = (12,600 + 9,000) / 360
    assert interest(pos) == ["8.33", "60.00", "46.00", "45.50", "40.00"]
    assert pos.lines[-1].principal == D("6000.00")
    assert pos.outstanding_principal == D("6000.00")
    assert pos.payoff == D("6000.00")
    (allocation,) = pos.allocations
    assert (allocation.repayment_id, allocation.prepaid_principal, allocation.principal) == (
        "r1",
        D("4000.00"),
        D("0.00"),
    )


def test_an_equal_principal_prepayment_keeps_the_term_and_lowers_each_remaining_part():
    events = [
        Repayment(date(2026, 3, 20), D("2400.00")),
        Repayment(date(2026, 5, 1), D("3000.00"), prepay=True),
    ]
    pos = position(EQUAL, events, date(2026, 5, 1))
    assert [str(x.principal) for x in pos.lines] == ["2400.00", "1650.00", "1650.00", "1650.00", "1650.00"]
    # line 2: (9,600 × 42 + 6,600 × 50) × 3 % / 360; line 4: 3,300 × 3 % × 91 / 360 = 25.025 → 25.03
    assert interest(pos) == ["64.00", "61.10", "37.95", "25.03", "3.58"]
    assert pos.allocations[1].prepaid_principal == D("3000.00")
    assert pos.prepaid_principal + sum(x.principal for x in pos.lines) == D("12000.00")


def test_a_late_balloon_repayment_pays_penalty_interest_that_the_treasury_never_subsidises():
    on_time = [
        Repayment(date(2026, 3, 20), D("1.67")),
        Repayment(date(2026, 6, 22), D("15.33")),  # 20 June is a Saturday: Monday is on time
        Repayment(date(2026, 9, 21), D("15.33")),
        Repayment(date(2026, 12, 21), D("15.17")),
    ]
    pos = position(SHARED, on_time, date(2027, 4, 9))
    assert [x.penalty for x in pos.lines[:4]] == [D("0.00")] * 4
    # 30 days late: 10,000 × 4.5 % × 30 / 360 = 37.50; on the 13.33 of interest 0.049… → 0.05
    assert (pos.overdue, pos.days_overdue) == (True, 30)
    assert pos.due_now_owed.principal == D("10000.00")
    assert pos.due_now_owed.interest == D("13.33")
    assert pos.due_now_owed.penalty == D("37.50")
    assert pos.due_now_owed.compound == D("0.05")
    assert pos.due_now == pos.payoff == D("10050.88")
    # the treasury still pays only the contract interest to maturity, nothing after it
    assert sum(c.subsidy for c in subsidy_claims(pos, date(2026, 1, 1), date(2027, 12, 31))) == D("243.34")

    paid = position(SHARED, [*on_time, Repayment(date(2027, 4, 9), D("10050.88"), "late")], date(2027, 4, 9))
    last = paid.allocations[-1]
    assert (last.penalty, last.compound, last.interest, last.principal) == (
        D("37.50"),
        D("0.05"),
        D("13.33"),
        D("10000.00"),
    )
    assert paid.is_repaid and not paid.overdue


def test_a_partial_late_repayment_settles_penalty_then_interest_then_principal():
    on_time = [
        Repayment(date(2026, 3, 20), D("1.67")),
        Repayment(date(2026, 6, 22), D("15.33")),
        Repayment(date(2026, 9, 21), D("15.33")),
        Repayment(date(2026, 12, 21), D("15.17")),
    ]
    events = [*on_time, Repayment(date(2027, 3, 25), D("5000.00"))]
    pos = position(SHARED, events, date(2027, 4, 9))
    # 15 days on 10,000: 18.75 penalty, 0.02 compound; then 5,032.10 for 15 days: 9.435… → 9.44
    last = pos.allocations[-1]
    assert (last.penalty, last.compound, last.interest, last.principal) == (
        D("18.75"),
        D("0.02"),
        D("13.33"),
        D("4967.90"),
    )
    assert pos.outstanding_principal == D("5032.10")
    assert pos.payoff == D("5041.54")
    assert pos.days_overdue == 30  # counted from the due date of the oldest unpaid item


def test_a_due_date_on_a_sunday_paid_on_monday_is_not_overdue():
    paid_before = [Repayment(date(2026, 3, 20), D("2400.00")), Repayment(date(2026, 6, 22), D("2400.00"))]
    monday = position(EQUAL, paid_before, date(2026, 9, 21))  # 20 September 2026 is a Sunday
    assert (monday.due_now, monday.overdue, monday.days_overdue) == (D("2400.00"), False, 0)
    paid = position(EQUAL, [*paid_before, Repayment(date(2026, 9, 21), D("2400.00"))], date(2026, 10, 1))
    assert (paid.due_now, paid.overdue, paid.lines[2].penalty) == (D("0.00"), False, D("0.00"))

    tuesday = position(EQUAL, paid_before, date(2026, 9, 22))
    # late after all: penalty runs from the Sunday, 2,400 × 4.5 % × 2 / 360
    assert (tuesday.overdue, tuesday.days_overdue, tuesday.due_now) == (True, 2, D("2400.60"))


def test_money_paid_before_a_due_date_is_an_advance_that_pays_that_line_on_its_due_date():
    paid_before = [Repayment(date(2026, 3, 20), D("2400.00")), Repayment(date(2026, 6, 22), D("2400.00"))]
    friday = position(EQUAL, [*paid_before, Repayment(date(2026, 9, 18), D("2400.00"))], date(2026, 9, 18))
    assert friday.allocations[-1].prepaid_principal == D("0.00")
    assert (friday.advance, friday.allocations[-1].advance) == (D("2400.00"), D("2400.00"))
    assert [str(x.principal) for x in friday.lines[2:]] == ["2400.00", "2400.00", "2400.00"]
    assert friday.lines[2].interest == D("55.20")  # the plan is unchanged: nothing was prepaid
    monday = position(EQUAL, [*paid_before, Repayment(date(2026, 9, 18), D("2400.00"))], date(2026, 9, 21))
    assert (monday.due_now, monday.overdue, monday.advance) == (D("0.00"), False, D("0.00"))
    assert monday.lines[2].principal_paid == D("2400.00")


def test_the_first_instalment_brought_two_days_early_leaves_nothing_due_and_no_penalty():
    """Issue 9.1: 12,000 / 12 months equal principal at 3 % from 2026-01-15; 2,400 paid 3/18, due 3/20."""
    events = [Repayment(date(2026, 3, 18), D("2400.00"))]
    on_18 = position(EQUAL, events, date(2026, 3, 18))
    assert (on_18.advance, on_18.outstanding_principal, on_18.prepaid_principal) == (
        D("2400.00"),
        D("12000.00"),
        D("0.00"),
    )
    on_23 = position(EQUAL, events, date(2026, 3, 23))
    assert (on_23.due_now, on_23.overdue, on_23.advance) == (D("0.00"), False, D("0.00"))
    assert [x.penalty for x in on_23.lines] == [D("0.00")] * 5
    assert [str(x.principal) for x in on_23.lines] == ["2400.00"] * 5
    assert on_23.outstanding_principal == D("9600.00")


def test_an_early_payment_with_prepay_prepays_principal_and_the_payoff_amount_always_does():
    events = [Repayment(date(2026, 3, 18), D("2400.00"), prepay=True)]
    pos = position(EQUAL, events, date(2026, 3, 23))
    assert pos.prepaid_principal == D("2400.00") and pos.advance == 0
    assert [str(x.principal) for x in pos.lines] == ["1920.00"] * 5
    assert (pos.overdue, pos.due_now) == (True, D("1920.72"))  # what the flagless payment used to cause

    payoff = position(EQUAL, [], date(2026, 3, 18)).payoff
    closed = position(EQUAL, [Repayment(date(2026, 3, 18), payoff)], date(2026, 3, 18))
    assert closed.is_repaid and closed.prepaid_principal == D("12000.00")


def test_a_holiday_calendar_extends_the_grace_to_the_next_working_day():
    national_day = {date(2026, 10, d) for d in range(1, 9)}

    def open_for_business(d):
        return d.weekday() < 5 and d not in national_day

    loan = terms("3000.00", date(2026, 9, 1), months=1)  # matures 1 October
    assert not position(loan, [], date(2026, 10, 9), open_for_business).overdue
    assert position(loan, [], date(2026, 10, 9)).overdue


def test_paying_the_payoff_in_mid_period_closes_the_loan_and_ends_the_running_line_that_day():
    events = [Repayment(date(2026, 3, 20), D("1.67")), Repayment(date(2026, 5, 1), D("10007.00"))]
    pos = position(SHARED, events, date(2026, 5, 1))
    assert pos.is_repaid and pos.payoff == 0
    assert [(x.due_date, str(x.interest), str(x.subsidy)) for x in pos.lines] == [
        (date(2026, 3, 20), "8.33", "6.66"),
        (date(2026, 5, 1), "35.00", "28.00"),
    ]
    later = position(SHARED, events, date(2027, 6, 1))
    assert later.is_repaid and not later.overdue


def test_a_repayment_above_the_payoff_is_refused_with_the_payoff_shown():
    with pytest.raises(PaymentExceedsPayoff) as refused:
        position(BALLOON, [Repayment(date(2026, 5, 1), D("10000.01"))], date(2026, 5, 1))
    assert refused.value.payoff == D("10000.00")
    assert "10000.00" in str(refused.value)
    closed = [Repayment(date(2026, 5, 1), D("10000.00"))]
    with pytest.raises(PaymentExceedsPayoff) as again:
        position(BALLOON, [*closed, Repayment(date(2026, 6, 1), D("1.00"))], date(2026, 6, 1))
    assert again.value.payoff == 0


def test_a_reversed_repayment_is_replayed_as_if_it_had_never_been_made():
    kept = [Repayment(date(2026, 3, 20), D("2400.00"), 1)]
    mistyped = Repayment(date(2026, 5, 1), D("3000.00"), 2, prepay=True)
    with_it = position(EQUAL, [*kept, mistyped], date(2026, 7, 1))
    reversed_ = position(EQUAL, kept, date(2026, 7, 1))
    assert with_it.outstanding_principal == D("6600.00")
    assert reversed_.outstanding_principal == D("9600.00")
    assert interest(reversed_) == interest(position(EQUAL, [], date(2026, 7, 1)))
    assert reversed_.overdue and reversed_.due_now_owed.principal == D("2400.00")


def test_a_recall_makes_everything_due_at_once_and_ends_the_subsidy():
    paid = [Repayment(date(2026, 3, 20), D("1.67")), Repayment(date(2026, 6, 22), D("15.33"))]
    events = [*paid, Recall(date(2026, 8, 3))]
    pos = position(SHARED, events, date(2026, 8, 3))
    # 20 June → 3 August is 44 days: 36.67 interest, 29.34 subsidy, 7.33 household
    assert [x.due_date for x in pos.lines][-1] == date(2026, 8, 3)
    assert (pos.lines[-1].interest, pos.lines[-1].subsidy) == (D("36.67"), D("29.34"))
    assert pos.is_recalled and pos.due_now == pos.payoff == D("10007.33")
    assert not pos.overdue
    later = position(SHARED, events, date(2026, 8, 13))
    # 10 days: 10,000 × 4.5 % × 10 / 360 = 12.50 penalty; 7.33 of interest → 0.01 compound
    assert (later.due_now_owed.penalty, later.due_now_owed.compound) == (D("12.50"), D("0.01"))
    assert later.payoff == D("10019.84") and later.days_overdue == 10
    assert sum(c.subsidy for c in subsidy_claims(later, date(2026, 1, 1), date(2026, 12, 31))) == D("97.34")


def test_an_extension_across_the_12_month_band_charges_the_longer_rate_from_its_date():
    months = max_extension_months(12, POLICY.loan["extension"])
    assert months == 12
    new_maturity = extended_maturity(BALLOON.disbursed_on, 12, 6)
    extended_on = date(2027, 1, 15)
    new_rate = POLICY.rate_for(12 + 6, extended_on)
    assert (new_maturity, new_rate) == (date(2027, 9, 10), D("0.0350"))
    event = Extension(extended_on, new_maturity, new_rate, True, POLICY.penalty_rate(new_rate))
    pos = position(BALLOON, [event], date(2027, 1, 15))
    # 20 Dec → 15 Jan at 3.00 % (26 days) and 15 Jan → 20 Mar at 3.50 % (64 days), rounded once
    assert interest(pos) == ["8.33", "76.67", "76.67", "75.83", "83.89", "89.44", "79.72"]
    assert [x.due_date for x in pos.lines][-3:] == [date(2027, 3, 20), date(2027, 6, 20), date(2027, 9, 10)]
    assert pos.lines[-1].principal == D("10000.00") and pos.lines[-1].rate == D("0.0350")
    assert (pos.maturity, pos.extensions) == (date(2027, 9, 10), 1)
    assert not position(BALLOON, [event], date(2027, 4, 1)).overdue
    # overdue after the new maturity at the new penalty rate: 10,000 × 5.25 % × 10 / 360
    assert position(BALLOON, [event], date(2027, 9, 20)).due_now_owed.penalty == D("14.58")


def test_an_extension_without_subsidy_leaves_the_interest_after_it_to_the_household():
    event = Extension(date(2027, 1, 15), date(2027, 9, 10), D("0.0350"), subsidy_continues=False)
    line = position(BALLOON, [event], date(2027, 1, 15)).lines[4]
    # only the 26 days before the extension are subsidised: 10,000 × 3 % × 26 / 360 = 21.67
    assert (line.interest, line.subsidy, line.household_interest) == (D("83.89"), D("21.67"), D("62.22"))


@pytest.mark.parametrize(
    ("term", "so_far", "allowed"),
    [(6, 0, 6), (12, 0, 12), (13, 0, 6), (24, 0, 12), (36, 0, 12), (12, 1, 0)],
)
def test_an_extension_is_once_at_most_12_months_and_bounded_by_the_original_term(term, so_far, allowed):
    assert max_extension_months(term, POLICY.loan["extension"], so_far) == allowed


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([Repayment(date(2026, 3, 1), D("1.00"))], "before the disbursement"),
        ([Repayment(date(2026, 4, 1), D("0"))], "positive"),
        ([Repayment(date(2026, 4, 1), D("1.001"))], "whole fen"),
        ([Recall(date(2026, 4, 1)), Recall(date(2026, 4, 2))], "already recalled"),
        ([Recall(date(2026, 4, 1)), Extension(date(2026, 5, 1), date(2027, 9, 10), D("0.035"))], "recalled"),
        ([Extension(date(2027, 3, 10), date(2027, 9, 10), D("0.035"))], "before its maturity"),
        ([Extension(date(2026, 5, 1), date(2027, 3, 10), D("0.035"))], "later than"),
    ],
)
def test_an_event_the_loan_cannot_take_is_refused(events, message):
    with pytest.raises(LedgerError, match=message):
        position(BALLOON, events, date(2027, 6, 1))


def test_the_quarterly_claim_list_holds_the_lines_settled_in_the_quarter():
    pos = position(SHARED, [], date(2026, 12, 31))
    claims = subsidy_claims(pos, date(2026, 7, 1), date(2026, 9, 30))
    assert [(c.seq, c.settlement_date, c.interest, c.subsidy) for c in claims] == [
        (3, date(2026, 9, 20), D("76.67"), D("61.34"))
    ]
    assert subsidy_claims(position(SHARED, [], date(2026, 9, 19)), date(2026, 7, 1), date(2026, 9, 30)) == []
