"""Money (金额) in yuan as ``Decimal`` with at most two decimals (fen, 分).

API input arrives as a decimal string; anything else — a JSON number, an
exponent, a sign, a third decimal — is refused with a ``Reason`` rather than
guessed at, because a mistyped amount is paid out.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from loanflow.core.domain.reasons import Reason, ReasonError

FEN = Decimal("0.01")
ZERO = Decimal("0.00")  # money's zero, to the fen
# Money is stored as Numeric(14, 2): twelve digits before the point at most.
MAX_INTEGER_DIGITS = 12

_PLAIN = re.compile(r"(0|[1-9][0-9]*)(?:\.([0-9]+))?")


class MoneyError(ReasonError):
    """A money or quantity string that cannot be accepted."""


def _refuse(kind: str, code: str, zh: str, en: str) -> MoneyError:
    return MoneyError(Reason(f"{kind}.{code}", zh, en))


def _parse_decimal_string(value: object, places: int, kind: str, noun_zh: str, noun_en: str) -> Decimal:
    if isinstance(value, bool | int | float) or not isinstance(value, str):
        raise _refuse(
            kind,
            "not_string",
            f'{noun_zh}必须以文本形式提交，例如 "50000.00"',
            f'The {noun_en} must be sent as a string, e.g. "50000.00"',
        )
    if value == "":
        raise _refuse(kind, "empty", f"{noun_zh}不能为空", f"The {noun_en} is empty")
    if value != value.strip() or any(c.isspace() for c in value):
        raise _refuse(kind, "whitespace", f"{noun_zh}不能包含空格", f"The {noun_en} must not contain spaces")
    if value[0] in "+-":
        raise _refuse(
            kind,
            "sign",
            f"{noun_zh}不能带正负号",
            f"The {noun_en} must not carry a sign",
        )
    lowered = value.lower()
    if any(word in lowered for word in ("nan", "inf")):
        raise _refuse(
            kind, "not_finite", f"{noun_zh}必须是有限数字", f"The {noun_en} must be a finite number"
        )
    if "e" in lowered:
        raise _refuse(
            kind,
            "exponent",
            f"{noun_zh}不能使用科学计数法",
            f"The {noun_en} must not use an exponent",
        )
    match = _PLAIN.fullmatch(value)
    if match is None:
        raise _refuse(
            kind,
            "format",
            f'{noun_zh}格式不正确，应为如 "50000.00" 的数字',
            f'The {noun_en} is not a plain decimal number like "50000.00"',
        )
    decimals = match.group(2) or ""
    if len(decimals) > places:
        raise _refuse(
            kind,
            "too_many_decimals",
            f"{noun_zh}最多 {places} 位小数",
            f"The {noun_en} may have at most {places} decimals",
        )
    if len(match.group(1)) > MAX_INTEGER_DIGITS:
        raise _refuse(kind, "too_large", f"{noun_zh}过大", f"The {noun_en} is too large")
    return Decimal(value)


def parse_money(value: object, *, positive: bool = False) -> Decimal:
    """Parse an API amount in yuan: a string such as ``"50000"``, ``"50000.5"`` or ``"50000.00"``.

    Zero is accepted unless ``positive``. Raises ``MoneyError`` naming what is wrong.
    """
    amount = _parse_decimal_string(value, 2, "money", "金额", "amount")
    if positive and amount == 0:
        raise _refuse("money", "not_positive", "金额必须大于 0", "The amount must be greater than 0")
    return amount


def parse_quantity(value: object, places: int = 2) -> Decimal:
    """Parse a subsidy quantity (数量, heads, mu, …): a decimal string with up to ``places`` decimals, > 0."""
    quantity = _parse_decimal_string(value, places, "quantity", "数量", "quantity")
    if quantity == 0:
        raise _refuse("quantity", "not_positive", "数量必须大于 0", "The quantity must be greater than 0")
    return quantity


def round_fen(value: Decimal) -> Decimal:
    """Round to the fen, half-up (四舍五入)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    """The API form of an amount: ``"50000.00"`` (rounded half-up to the fen, never an exponent)."""
    rounded = round_fen(value)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:f}"
