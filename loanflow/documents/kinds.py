"""What each document shows: view models built from plain values.

A view model carries exactly what its document prints and nothing more, in
domain types (``Decimal`` money and rates, ``date``); the templates only format.
The services compute the values (schedule, maturity, limits, rates) under the
policy and hand them over; nothing here applies a rule.

``build_view(kind, data)`` builds a view from plain JSON-like data (money,
rates and quantities as decimal strings, dates as ISO strings) and refuses any
key the view does not have: the 公示 list cannot be handed an ID number, a
phone, an account or a poverty cause, because its view has no such field.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

METHOD_LABELS = {
    "balloon": "到期一次还本、按季结息",
    "equal_principal": "等额本金、按季结息",
}


@dataclass(frozen=True)
class Lender:
    """The lending bank branch (贷款人)."""

    branch_name: str
    bank_name: str
    address: str


@dataclass(frozen=True)
class Borrower:
    """The borrower (借款人), as on the household register."""

    name: str
    id_number: str
    address: str


@dataclass(frozen=True)
class Account:
    """The household's registered account that receives the loan."""

    bank_name: str
    account_no: str
    holder: str


@dataclass(frozen=True)
class LoanAgreementView:
    """借款合同, issued at credit."""

    contract_no: str
    issued_on: date
    lender: Lender
    borrower: Borrower
    amount: Decimal
    purpose: str
    term_months: int
    annual_rate: Decimal
    method: str
    subsidy_ratio: Decimal
    penalty_markup: Decimal
    extension_max_count: int
    extension_max_months: int
    settlement_rule: str = "每季末月20日及到期日"

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def penalty_rate(self) -> Decimal:
        return self.annual_rate * (1 + self.penalty_markup)


@dataclass(frozen=True)
class ScheduleLine:
    """One dated line of the repayment plan; ``subsidy`` is the treasury's share of the interest."""

    seq: int
    due_on: date
    principal: Decimal
    interest: Decimal
    subsidy: Decimal

    @property
    def household_share(self) -> Decimal:
        return self.interest - self.subsidy

    @property
    def household_due(self) -> Decimal:
        return self.principal + self.household_share


@dataclass(frozen=True)
class ScheduleTotals:
    principal: Decimal
    interest: Decimal
    subsidy: Decimal
    household_share: Decimal
    household_due: Decimal


@dataclass(frozen=True)
class LoanReceiptView:
    """借据 with its repayment plan (还款计划), issued at disbursement and for each new revision of the
    plan (``revision`` > 0: what made it, from when, the principal prepaid before it)."""

    receipt_no: str
    contract_no: str
    issued_on: date
    lender: Lender
    borrower: Borrower
    account: Account
    amount: Decimal
    purpose: str
    disbursed_on: date
    maturity_on: date
    term_months: int
    annual_rate: Decimal
    method: str
    lines: tuple[ScheduleLine, ...]
    revision: int = 0
    revision_cause: str = ""
    revised_on: date | None = None
    prepaid_principal: Decimal = Decimal("0.00")

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def totals(self) -> ScheduleTotals:
        lines = self.lines
        return ScheduleTotals(
            principal=sum((line.principal for line in lines), Decimal("0.00")),
            interest=sum((line.interest for line in lines), Decimal("0.00")),
            subsidy=sum((line.subsidy for line in lines), Decimal("0.00")),
            household_share=sum((line.household_share for line in lines), Decimal("0.00")),
            household_due=sum((line.household_due for line in lines), Decimal("0.00")),
        )


@dataclass(frozen=True)
class ExtensionAgreementView:
    """展期协议, issued when a bank officer approves an extension."""

    agreement_no: str
    contract_no: str
    issued_on: date
    lender: Lender
    borrower: Borrower
    original_amount: Decimal
    outstanding_principal: Decimal
    disbursed_on: date
    original_maturity_on: date
    original_term_months: int
    original_rate: Decimal
    extended_on: date
    extension_months: int
    new_maturity_on: date
    new_rate: Decimal
    subsidy_continues: bool
    subsidy_ratio: Decimal


@dataclass(frozen=True)
class SubsidyNoticeView:
    """产业奖补审批通知, issued at approval."""

    case_no: str
    issued_on: date
    household_head: str
    township: str
    village: str
    industry: str
    unit: str
    declared_quantity: Decimal
    verified_quantity: Decimal
    unit_rate: Decimal
    amount: Decimal
    approved_on: date
    approving_office: str
    amount_working: str = ""  # how the amount came about, with 封顶 when the cap cut it


@dataclass(frozen=True)
class PublicityEntry:
    """One line of the 公示 list: deliberately no ID number, phone, account or poverty cause."""

    household_head: str
    industry: str
    verified_quantity: Decimal
    unit: str
    amount: Decimal
    amount_working: str = ""  # how the amount came about, with 封顶 when the cap cut it


@dataclass(frozen=True)
class PublicityListView:
    """村级公示名单 of verified industry-subsidy cases."""

    list_no: str
    issued_on: date
    township: str
    village: str
    period_start: date
    period_end: date
    entries: tuple[PublicityEntry, ...]
    publishing_office: str
    objection_office: str
    objection_phone: str

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise ValueError("the 公示 period ends before it starts")

    @property
    def total(self) -> Decimal:
        return sum((entry.amount for entry in self.entries), Decimal("0.00"))


@dataclass(frozen=True)
class HouseholdReceiptView:
    """回执 handed to the household for any case: what we received, what comes next, whom to ask."""

    case_no: str
    issued_on: date
    product: str
    household_head: str
    received: tuple[str, ...]
    next_step: str
    due_by: date
    due_provisional: bool
    contact_office: str
    contact_phone: str
    issuing_office: str


VIEW_CLASSES: dict[str, type] = {
    "loan_agreement": LoanAgreementView,
    "loan_receipt": LoanReceiptView,
    "extension_agreement": ExtensionAgreementView,
    "subsidy_notice": SubsidyNoticeView,
    "publicity_list": PublicityListView,
    "household_receipt": HouseholdReceiptView,
}


def build_view(kind: str, data: Mapping[str, Any]) -> Any:
    """Build the view model of ``kind`` from plain data; unknown or missing keys raise TypeError."""
    try:
        cls = VIEW_CLASSES[kind]
    except KeyError:
        raise ValueError(f"unknown document kind: {kind!r}") from None
    return _build(cls, data)


def _build(cls: type, data: Mapping[str, Any]) -> Any:
    if not isinstance(data, Mapping):
        raise TypeError(f"{cls.__name__} needs a mapping, got {type(data).__name__}")
    names = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    hints = typing.get_type_hints(cls)
    return cls(**{name: _coerce(hints[name], value) for name, value in data.items()})


def _coerce(hint: Any, value: Any) -> Any:
    if dataclasses.is_dataclass(hint):
        return value if isinstance(value, hint) else _build(hint, value)
    if typing.get_origin(hint) is tuple:
        (item_hint, _ellipsis) = typing.get_args(hint)
        return tuple(_coerce(item_hint, item) for item in value)
    if hint is Decimal:
        if isinstance(value, float | bool):
            raise TypeError(f"money and rates are decimal strings, not {type(value).__name__}: {value!r}")
        return Decimal(value)
    if hint is date and isinstance(value, str):
        return date.fromisoformat(value)
    return value
