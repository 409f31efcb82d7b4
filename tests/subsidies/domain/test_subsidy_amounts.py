"""The subsidy amount: quantity × unit rate, the declared quantity as a ceiling, the household cap."""

from datetime import date
from decimal import Decimal

from loanflow.core.domain.policy import DEFAULT_POLICY, Policy
from loanflow.subsidies.domain.amounts import cap_period, compute_amount, format_quantity

D = Decimal
POLICY = Policy(DEFAULT_POLICY)
CAP = POLICY.household_cap


def amount(rate="200.00", declared="5", verified="5", reserved="0.00", cap=None, period="2026"):
    return compute_amount(
        unit_rate=D(rate),
        declared=D(declared),
        verified=D(verified),
        cap=D(cap) if cap else CAP,
        reserved_before=D(reserved),
        cap_period=period,
    )


def test_the_amount_is_the_verified_quantity_times_the_unit_rate():
    a = amount(rate="200.00", declared="8", verified="6")
    assert a.counted_quantity == 6 and a.gross == D("1200.00") and a.amount == D("1200.00")
    assert not a.capped


def test_a_verified_quantity_above_the_declared_one_pays_the_declared_one():
    a = amount(rate="500.00", declared="2", verified="3")
    assert a.counted_quantity == 2
    assert a.amount == D("1000.00")
    assert a.as_dict()["verified_quantity"] == "3" and a.as_dict()["counted_quantity"] == "2"


def test_fractional_quantities_are_rounded_half_up_to_the_fen():
    a = amount(rate="333.33", declared="1.5", verified="1.5")
    assert a.gross == D("500.00")  # 499.995 → 500.00
    a = amount(rate="300.00", declared="0.25", verified="0.25")
    assert a.gross == D("75.00")


def test_the_amount_is_capped_by_what_is_left_of_the_household_cap():
    a = amount(rate="800.00", declared="3", verified="3", reserved="1200.00")
    assert a.gross == D("2400.00")
    assert a.cap_left == D("1800.00")
    assert a.amount == D("1800.00") and a.capped


def test_a_used_up_cap_leaves_nothing():
    a = amount(reserved="3000.00")
    assert a.amount == D("0.00") and a.cap_left == D("0.00")


def test_a_household_above_a_lowered_cap_has_nothing_left_not_a_negative_amount():
    a = amount(reserved="2500.00", cap="2000.00")
    assert a.cap_left == D("0.00") and a.amount == D("0.00")


def test_every_figure_of_the_computation_is_shown_as_strings():
    shown = amount(rate="800.00", declared="3", verified="2.5", reserved="1000.00").as_dict()
    assert shown == {
        "unit_rate": "800.00",
        "declared_quantity": "3",
        "verified_quantity": "2.5",
        "counted_quantity": "2.5",
        "gross": "2000.00",
        "cap": "3000.00",
        "cap_period": "2026",
        "reserved_before": "1000.00",
        "cap_left": "2000.00",
        "amount": "2000.00",
        "capped": False,
    }


def test_the_cap_period_is_the_calendar_year_of_the_day():
    assert cap_period("calendar_year", None, date(2026, 12, 31)) == "2026"
    assert cap_period("calendar_year", None, date(2027, 1, 4)) == "2027"


def test_a_campaign_policy_counts_against_the_campaign_whatever_the_year():
    assert cap_period("campaign", "2026-2027 产业提升", date(2026, 5, 1)) == "campaign:2026-2027 产业提升"
    assert cap_period("campaign", {"code": "c1", "name": "x"}, date(2027, 5, 1)) == "campaign:c1"
    assert cap_period("campaign", None, date(2027, 5, 1)) == "2027"


def test_quantities_are_shown_without_trailing_zeros_or_exponents():
    assert format_quantity(D("12.00")) == "12"
    assert format_quantity(D("10")) == "10"
    assert format_quantity(D("100.00")) == "100"
    assert format_quantity(D("2.50")) == "2.5"
