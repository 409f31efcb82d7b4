"""The repayment schedule: DOMAIN.md's worked examples and the calendar edge cases, to the fen."""

from datetime import date
from decimal import Decimal

import pytest

from loanflow.loans.domain.daycount import add_months, days_between, grace_end
from loanflow.loans.domain.schedule import (
    build_schedule,
    maturity_date,
    settlement_dates,
    split_principal,
    split_subsidy,
)

D = Decimal
ONE = D("1.00")


def rows(lines):
    return [(line.due_date.isoformat(), str(line.principal), str(line.interest)) for line in lines]


def test_the_balloon_worked_example_comes_out_to_the_fen():
    lines = build_schedule(D("10000.00"), D("0.0300"), date(2026, 3, 10), 12, "balloon", ONE)
    assert rows(lines) == [
        ("2026-03-20", "0.00", "8.33"),
        ("2026-06-20", "0.00", "76.67"),
        ("2026-09-20", "0.00", "76.67"),
        ("2026-12-20", "0.00", "75.83"),
        ("2027-03-10", "10000.00", "66.67"),
    ]


def test_the_equal_principal_worked_example_comes_out_to_the_fen():
    lines = build_schedule(D("12000.00"), D("0.0300"), date(2026, 1, 15), 12, "equal_principal", ONE)
    assert rows(lines) == [
        ("2026-03-20", "2400.00", "64.00"),
        ("2026-06-20", "2400.00", "73.60"),
        ("2026-09-20", "2400.00", "55.20"),
        ("2026-12-20", "2400.00", "36.40"),
        ("2027-01-15", "2400.00", "5.20"),
    ]


def test_each_line_shows_its_start_opening_principal_and_rate():
    lines = build_schedule(D("12000.00"), D("0.0300"), date(2026, 1, 15), 12, "equal_principal", ONE)
    assert [(line.seq, line.start_date, line.opening_principal) for line in lines[:3]] == [
        (1, date(2026, 1, 15), D("12000.00")),
        (2, date(2026, 3, 20), D("9600.00")),
        (3, date(2026, 6, 20), D("7200.00")),
    ]
    assert {line.rate for line in lines} == {D("0.0300")}


def test_a_full_subsidy_leaves_the_household_no_interest():
    lines = build_schedule(D("10000.00"), D("0.0300"), date(2026, 3, 10), 12, "balloon", ONE)
    assert [line.subsidy for line in lines] == [line.interest for line in lines]
    assert {line.household_interest for line in lines} == {D("0.00")}
    assert lines[-1].household_due == D("10000.00")


@pytest.mark.parametrize(
    ("interest", "ratio", "subsidy", "household"),
    [
        ("76.67", "1.00", "76.67", "0.00"),
        ("76.67", "0.50", "38.34", "38.33"),  # 38.335 rounds half-up to the treasury
        ("8.33", "0.80", "6.66", "1.67"),
        ("66.67", "0", "0.00", "66.67"),
    ],
)
def test_an_interest_line_is_split_between_treasury_and_household(interest, ratio, subsidy, household):
    assert split_subsidy(D(interest), D(ratio)) == (D(subsidy), D(household))


def test_a_36_month_balloon_loan_has_a_line_per_quarter_and_all_principal_at_maturity():
    lines = build_schedule(D("50000.00"), D("0.0350"), date(2026, 3, 10), 36, "balloon", ONE)
    assert len(lines) == 13  # 12 settlement dates (Mar 2026 … Dec 2028) and maturity
    assert lines[-1].due_date == date(2029, 3, 10)
    assert sum(line.principal for line in lines) == D("50000.00")
    assert [line.principal for line in lines[:-1]] == [D("0.00")] * 12


def test_a_loan_disbursed_on_a_20th_does_not_settle_on_that_day():
    lines = build_schedule(D("10000.00"), D("0.0300"), date(2026, 3, 20), 6, "balloon", ONE)
    assert [line.due_date for line in lines] == [date(2026, 6, 20), date(2026, 9, 20)]
    assert lines[0].interest == D("76.67")  # 92 days on 10,000 at 3 %
    assert lines[1].interest == D("76.67")


def test_a_loan_maturing_on_a_20th_settles_once_on_that_day():
    assert settlement_dates(date(2026, 3, 20), date(2026, 6, 20)) == [date(2026, 6, 20)]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 3, 10), 12, date(2027, 3, 10)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 12, 15), 36, date(2029, 12, 15)),
    ],
)
def test_maturity_is_the_same_day_months_later_or_that_months_last_day(start, months, expected):
    assert add_months(start, months) == expected
    assert maturity_date(start, months) == expected


def test_a_one_month_loan_from_31_january_matures_on_28_february():
    lines = build_schedule(D("3000.00"), D("0.0300"), date(2026, 1, 31), 1, "balloon", ONE)
    assert rows(lines) == [("2026-02-28", "3000.00", "7.00")]  # 28 days: 3000 × 3 % × 28 / 360


def test_a_leap_year_counts_29_february():
    lines = build_schedule(D("10000.00"), D("0.0300"), date(2028, 1, 31), 1, "balloon", ONE)
    assert rows(lines) == [("2028-02-29", "10000.00", "24.17")]  # 29 days
    lines = build_schedule(D("10000.00"), D("0.0300"), date(2027, 12, 20), 3, "balloon", ONE)
    assert days_between(date(2027, 12, 20), date(2028, 3, 20)) == 91
    assert rows(lines) == [("2028-03-20", "10000.00", "75.83")]


def test_equal_principal_parts_are_rounded_down_and_the_last_takes_the_remainder():
    assert split_principal(D("10000.00"), 3, "equal_principal") == [D("3333.33"), D("3333.33"), D("3333.34")]
    assert split_principal(D("0.05"), 4, "equal_principal") == [D("0.01"), D("0.01"), D("0.01"), D("0.02")]
    lines = build_schedule(D("10000.00"), D("0.0300"), date(2026, 4, 1), 8, "equal_principal", ONE)
    assert [line.principal for line in lines] == [D("3333.33"), D("3333.33"), D("3333.34")]


def test_interest_is_rounded_half_up_line_by_line():
    # 1,500 × 3 % × 1 day / 360 = 0.125 → 0.13
    lines = build_schedule(D("1500.00"), D("0.0300"), date(2026, 3, 19), 1, "balloon", ONE)
    assert lines[0].interest == D("0.13")
    assert lines[1].interest == D("3.75")  # 2026-03-20 → 2026-04-19, 30 days


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"amount": D("0")}, "amount"),
        ({"amount": D("10.001")}, "amount"),
        ({"term_months": 0}, "term"),
        ({"method": "annuity"}, "method"),
        ({"subsidy_ratio": D("1.5")}, "ratio"),
    ],
)
def test_a_schedule_with_impossible_terms_is_refused(bad, message):
    args = {
        "amount": D("1000.00"),
        "annual_rate": D("0.03"),
        "disbursed_on": date(2026, 3, 10),
        "term_months": 12,
        "method": "balloon",
        "subsidy_ratio": ONE,
    }
    with pytest.raises(ValueError, match=message):
        build_schedule(**(args | bad))


def test_a_due_date_on_a_sunday_may_be_met_on_monday():
    assert grace_end(date(2026, 9, 20)) == date(2026, 9, 21)
    assert grace_end(date(2026, 6, 20)) == date(2026, 6, 22)
    assert grace_end(date(2026, 3, 20)) == date(2026, 3, 20)
    national_day = {date(2026, 10, d) for d in range(1, 8)}
    assert grace_end(date(2026, 10, 1), lambda d: d.weekday() < 5 and d not in national_day) == date(
        2026, 10, 8
    )
