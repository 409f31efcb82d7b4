from decimal import Decimal

import pytest

from loanflow.core.domain.numerals import capital_yuan


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("50000.00", "人民币伍万元整"),
        ("30500.00", "人民币叁万零伍佰元整"),
        ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
        ("0.05", "人民币伍分"),
        ("0.50", "人民币伍角"),
        ("0.35", "人民币叁角伍分"),
        ("10.50", "人民币壹拾元零伍角"),
        ("10.00", "人民币壹拾元整"),
        ("16.15", "人民币壹拾陆元壹角伍分"),
        ("12.30", "人民币壹拾贰元叁角"),
        ("1.05", "人民币壹元零伍分"),
        ("1.00", "人民币壹元整"),
        ("100.30", "人民币壹佰元零叁角"),
        ("1001.01", "人民币壹仟零壹元零壹分"),
        ("1010.00", "人民币壹仟零壹拾元整"),
        ("100200.00", "人民币壹拾万零贰佰元整"),
        ("101000.00", "人民币壹拾万零壹仟元整"),
        ("110000.00", "人民币壹拾壹万元整"),
        ("1000000.00", "人民币壹佰万元整"),
        ("100000.05", "人民币壹拾万元零伍分"),
        ("20000.00", "人民币贰万元整"),
        ("38765.40", "人民币叁万捌仟柒佰陆拾伍元肆角"),
        ("100000000.00", "人民币壹亿元整"),
        ("100005000.00", "人民币壹亿零伍仟元整"),
        ("105000000.00", "人民币壹亿零伍佰万元整"),
        ("150000000.00", "人民币壹亿伍仟万元整"),
        ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("0.00", "人民币零元整"),
        ("5", "人民币伍元整"),
        ("5.000", "人民币伍元整"),
    ],
)
def test_capital_yuan_writes_the_central_bank_form(amount, expected):
    assert capital_yuan(Decimal(amount)) == expected


def test_capital_yuan_accepts_whole_yuan_as_int():
    assert capital_yuan(30500) == "人民币叁万零伍佰元整"


@pytest.mark.parametrize("amount", ["-0.01", "-50000", "1.005", "0.001", "1000000000000", "NaN", "Infinity"])
def test_capital_yuan_refuses_amounts_a_cheque_cannot_carry(amount):
    with pytest.raises(ValueError):
        capital_yuan(Decimal(amount))


@pytest.mark.parametrize("amount", [12.5, "12.50", True])
def test_capital_yuan_refuses_anything_but_decimal_money(amount):
    with pytest.raises(TypeError):
        capital_yuan(amount)
