"""The amount of an industry subsidy (产业奖补金额) and the cap period it counts against.

Amount = min(declared, verified quantity) × the industry's unit rate, rounded
half-up to the fen, then capped by what is left of the household's cap in the
cap period (the calendar year of approval, or the policy's campaign). Every
figure of the computation is kept so that a clerk can show how the amount came
about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from loanflow.core.domain.money import ZERO, format_money, round_fen
from loanflow.core.domain.policy import Industry
from loanflow.core.domain.reasons import Reason

# Units counted one by one (heads, hundreds of birds): a declared or verified quantity is a whole number.
COUNTED_UNITS = frozenset({"头", "只", "羽", "百羽", "head", "heads", "100 birds", "birds"})


def counted_in_whole_units(industry: Industry) -> bool:
    """True for an industry whose unit is counted in heads or hundreds of birds (not an area)."""
    return industry.unit_zh in COUNTED_UNITS or industry.unit_en in COUNTED_UNITS


def whole_units_refusal(industry: Industry, quantity: Decimal) -> Reason | None:
    """Why ``quantity`` cannot be counted for ``industry`` (2.5 头 of pigs), or None."""
    if not counted_in_whole_units(industry) or quantity == quantity.to_integral_value():
        return None
    shown = format_quantity(quantity)
    return Reason(
        "quantity.whole_units",
        f"{industry.name_zh}按{industry.unit_zh}计，数量须为整数，不能是 {shown}",
        f"{industry.name_en} are counted in whole {industry.unit_en}: {shown} is not a whole number",
    )


def format_quantity(q: Decimal) -> str:
    """A quantity as the API shows it: ``"12"``, ``"2.5"`` (no exponent, no trailing zeros)."""
    return format(q.normalize(), "f")


@dataclass(frozen=True)
class SubsidyAmount:
    """The computation of one case's amount, every step of it."""

    unit_rate: Decimal
    declared_quantity: Decimal
    verified_quantity: Decimal
    counted_quantity: Decimal  # min(declared, verified): a household is paid for no more than it asked
    gross: Decimal  # counted × rate, to the fen
    cap: Decimal
    cap_period: str
    reserved_before: Decimal  # what the household's other cases hold in the period
    cap_left: Decimal
    amount: Decimal
    capped: bool

    def as_dict(self) -> dict[str, Any]:
        """The JSON form shown on the case and stored with it (money as strings)."""
        return {
            "unit_rate": format_money(self.unit_rate),
            "declared_quantity": format_quantity(self.declared_quantity),
            "verified_quantity": format_quantity(self.verified_quantity),
            "counted_quantity": format_quantity(self.counted_quantity),
            "gross": format_money(self.gross),
            "cap": format_money(self.cap),
            "cap_period": self.cap_period,
            "reserved_before": format_money(self.reserved_before),
            "cap_left": format_money(self.cap_left),
            "amount": format_money(self.amount),
            "capped": self.capped,
        }


def compute_amount(
    *,
    unit_rate: Decimal,
    declared: Decimal,
    verified: Decimal,
    cap: Decimal,
    reserved_before: Decimal,
    cap_period: str,
) -> SubsidyAmount:
    """The amount to reserve for a case verified at ``verified`` against ``declared``."""
    counted = min(declared, verified)
    gross = round_fen(counted * unit_rate)
    left = max(cap - reserved_before, ZERO)
    amount = min(gross, left)
    return SubsidyAmount(
        unit_rate=unit_rate,
        declared_quantity=declared,
        verified_quantity=verified,
        counted_quantity=counted,
        gross=gross,
        cap=cap,
        cap_period=cap_period,
        reserved_before=reserved_before,
        cap_left=left,
        amount=amount,
        capped=amount < gross,
    )


def shown_yuan(value: Decimal) -> str:
    """An amount as the working line shows it: ``3,600`` for whole yuan, ``1,234.50`` otherwise."""
    rounded = round_fen(value)
    return f"{rounded:,.0f}" if rounded == rounded.to_integral_value() else f"{rounded:,.2f}"


def amount_working(computation: Mapping[str, Any] | None, unit: str, lang: str = "zh") -> str:
    """How the amount came about, in one line: ``18 头 × 200 = 3,600, 封顶 3,000`` (封顶: the cap cut it).

    ``computation`` is the case's stored computation (``SubsidyAmount.as_dict``); empty
    before verification.
    """
    if not computation:
        return ""
    counted = computation["counted_quantity"]
    line = (
        f"{counted} {unit} × {shown_yuan(Decimal(computation['unit_rate']))} = "
        f"{shown_yuan(Decimal(computation['gross']))}"
    )
    if not computation.get("capped"):
        return line
    amount = shown_yuan(Decimal(computation["amount"]))
    return f"{line}, 封顶 {amount}" if lang != "en" else f"{line}, capped at {amount}"


def campaign_code(campaign: Any) -> str | None:
    """The policy's campaign as a short code: a string, or an object with ``code``."""
    if isinstance(campaign, str) and campaign.strip():
        return campaign.strip()
    if isinstance(campaign, dict) and campaign.get("code"):
        return str(campaign["code"])
    return None


def cap_period(kind: str, campaign: Any, on: date) -> str:
    """The period whose cap a case counts against: ``"2026"`` (calendar year) or ``"campaign:<code>"``.

    With ``calendar_year`` it is the year of ``on`` (the approval date; at
    verification the expected one, which approval re-checks). A campaign policy
    without a campaign falls back to the calendar year.
    """
    code = campaign_code(campaign) if kind == "campaign" else None
    return f"campaign:{code}"[:40] if code else str(on.year)


def cap_used_up(period: str, cap: Decimal, reserved: Decimal) -> Reason:
    """Why a case gets nothing: the household's cap for the period is used up."""
    when_zh = f"{period} 年度" if period.isdigit() else f"本期（{period}）"
    return Reason(
        "subsidy.cap_used_up",
        f"该户{when_zh}奖补已达上限：已占用 {format_money(reserved)} 元，上限 {format_money(cap)} 元",
        f"The household's subsidy cap for {period} is used up: {format_money(reserved)} of "
        f"{format_money(cap)} yuan reserved",
    )
