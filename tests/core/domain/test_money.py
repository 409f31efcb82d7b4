from decimal import Decimal

import pytest

from loanflow.core.domain.money import FEN, MoneyError, format_money, parse_money, parse_quantity, round_fen


def refusal(value, **kwargs) -> str:
    with pytest.raises(MoneyError) as caught:
        parse_money(value, **kwargs)
    assert caught.value.reason.zh and caught.value.reason.en
    return caught.value.reason.code


@pytest.mark.parametrize(
    "text, amount",
    [("50000", "50000"), ("50000.5", "50000.5"), ("50000.00", "50000.00"), ("0.01", "0.01"), ("0", "0")],
)
def test_a_plain_decimal_string_is_accepted(text, amount):
    assert parse_money(text) == Decimal(amount)


@pytest.mark.parametrize("value", [50000, 50000.0, True, False, None, Decimal("5")])
def test_a_json_number_or_other_non_string_is_refused(value):
    assert refusal(value) == "money.not_string"


def test_a_third_decimal_is_refused():
    assert refusal("50000.001") == "money.too_many_decimals"


@pytest.mark.parametrize("text", ["5e4", "5E4", "1.5e2"])
def test_an_exponent_is_refused(text):
    assert refusal(text) == "money.exponent"


@pytest.mark.parametrize("text", ["-100", "+100", "-0"])
def test_a_sign_is_refused(text):
    assert refusal(text) == "money.sign"


def test_an_empty_string_is_refused():
    assert refusal("") == "money.empty"


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "inf", "sNaN"])
def test_nan_and_infinity_are_refused(text):
    assert refusal(text) == "money.not_finite"


@pytest.mark.parametrize("text", [" 100", "100 ", "1 000", "100\n", "\u3000100", "100\u00a0"])
def test_whitespace_anywhere_is_refused(text):
    assert refusal(text) == "money.whitespace"


@pytest.mark.parametrize("text", ["1,000", "100.", ".5", "0100", "１００", "12.3.4", "¥100", "0x10", "1_000"])
def test_anything_else_that_is_not_a_plain_decimal_is_refused(text):
    assert refusal(text) == "money.format"


def test_an_amount_too_large_to_store_is_refused():
    assert parse_money("999999999999.99") == Decimal("999999999999.99")
    assert refusal("1000000000000") == "money.too_large"


def test_zero_is_refused_when_a_positive_amount_is_required():
    assert refusal("0.00", positive=True) == "money.not_positive"


def test_a_quantity_is_a_positive_decimal_string():
    assert parse_quantity("12.5") == Decimal("12.5")
    assert parse_quantity("30", places=0) == Decimal("30")


@pytest.mark.parametrize(
    "value, places, code",
    [
        ("0", 2, "quantity.not_positive"),
        ("1.234", 2, "quantity.too_many_decimals"),
        ("1.5", 0, "quantity.too_many_decimals"),
        (12, 2, "quantity.not_string"),
        ("-3", 2, "quantity.sign"),
        ("1e3", 2, "quantity.exponent"),
    ],
)
def test_a_bad_quantity_is_refused(value, places, code):
    with pytest.raises(MoneyError) as caught:
        parse_quantity(value, places)
    assert caught.value.reason.code == code


@pytest.mark.parametrize(
    "value, rounded", [("8.325", "8.33"), ("8.324", "8.32"), ("-8.325", "-8.33"), ("2", "2.00")]
)
def test_rounding_to_the_fen_is_half_up(value, rounded):
    assert round_fen(Decimal(value)) == Decimal(rounded)
    assert round_fen(Decimal(value)).as_tuple().exponent == FEN.as_tuple().exponent


@pytest.mark.parametrize(
    "value, text",
    [("50000", "50000.00"), ("0.5", "0.50"), ("1E+5", "100000.00"), ("-0.001", "0.00"), ("76.665", "76.67")],
)
def test_amounts_are_formatted_with_two_decimals(value, text):
    assert format_money(Decimal(value)) == text
