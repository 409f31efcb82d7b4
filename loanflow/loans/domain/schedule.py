"""The repayment schedule (还款计划) fixed at disbursement, exact to the fen.

- maturity: the same day ``term_months`` after disbursement, else that month's
  last day;
- settlement dates (结息日): the 20th of March, June, September and December
  strictly between disbursement and maturity, then maturity itself;
- interest of a line: outstanding principal × annual rate × days / 360, days
  from the previous date (counted) to this one (not counted), rounded half-up
  to the fen line by line;
- ``balloon``: all principal at maturity; ``equal_principal``: equal parts on
  every settlement date and maturity, rounded down to the fen, the last line
  taking the remainder;
- each interest line is split into the treasury's share (贴息),
  round-half-up(interest × subsidy ratio), and the household's share, the rest.

Pure: the policy numbers (rate, method, ratio) are parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from loanflow.loans.domain.daycount import (
    add_months,
    floor_fen,
    interest_numerator,
    round_fen,
    round_interest,
)

Method = Literal["balloon", "equal_principal"]
METHODS: tuple[str, ...] = ("balloon", "equal_principal")
SETTLEMENT_MONTHS = (3, 6, 9, 12)
SETTLEMENT_DAY = 20


@dataclass(frozen=True)
class ScheduleLine:
    """One dated line of the plan: principal and interest due on ``due_date``."""

    seq: int
    start_date: date
    due_date: date
    opening_principal: Decimal
    principal: Decimal
    interest: Decimal
    subsidy: Decimal
    household_interest: Decimal
    rate: Decimal

    @property
    def household_due(self) -> Decimal:
        """What the household pays on this line: principal plus its share of interest."""
        return self.principal + self.household_interest


def maturity_date(disbursed_on: date, term_months: int) -> date:
    """到期日: the same day ``term_months`` later, else that month's last day."""
    return add_months(disbursed_on, term_months)


def settlement_dates(start: date, maturity: date) -> list[date]:
    """The due dates after ``start``: each 结息日 strictly between it and maturity, then maturity."""
    dates: list[date] = []
    for year in range(start.year, maturity.year + 1):
        for month in SETTLEMENT_MONTHS:
            day = date(year, month, SETTLEMENT_DAY)
            if start < day < maturity:
                dates.append(day)
    dates.append(maturity)
    return dates


def split_principal(total: Decimal, parts: int, method: str) -> list[Decimal]:
    """The principal of each of ``parts`` lines: all at the end, or equal parts rounded down."""
    if parts < 1:
        raise ValueError("a schedule has at least one line")
    if method == "balloon":
        return [Decimal("0.00")] * (parts - 1) + [round_fen(total)]
    if method == "equal_principal":
        part = floor_fen(total / parts)
        return [part] * (parts - 1) + [round_fen(total - part * (parts - 1))]
    raise ValueError(f"unknown repayment method {method!r}")


def split_subsidy(interest: Decimal, subsidy_ratio: Decimal) -> tuple[Decimal, Decimal]:
    """(treasury share 贴息, household share) of an interest line."""
    subsidy = round_fen(interest * subsidy_ratio)
    return subsidy, interest - subsidy


def build_schedule(
    amount: Decimal,
    annual_rate: Decimal,
    disbursed_on: date,
    term_months: int,
    method: str,
    subsidy_ratio: Decimal,
) -> list[ScheduleLine]:
    """The schedule fixed at disbursement (借据所附还款计划), one line per due date."""
    if amount <= 0 or amount != round_fen(amount):
        raise ValueError(f"the amount must be positive and whole fen, not {amount}")
    if term_months < 1:
        raise ValueError("the term is at least one month")
    if not Decimal(0) <= subsidy_ratio <= Decimal(1):
        raise ValueError("the subsidy ratio lies between 0 and 1")
    dues = settlement_dates(disbursed_on, maturity_date(disbursed_on, term_months))
    parts = split_principal(amount, len(dues), method)
    lines: list[ScheduleLine] = []
    start, balance = disbursed_on, amount
    for seq, (due, principal) in enumerate(zip(dues, parts, strict=True), start=1):
        interest = round_interest(interest_numerator(balance, annual_rate, start, due))
        subsidy, household = split_subsidy(interest, subsidy_ratio)
        lines.append(
            ScheduleLine(seq, start, due, balance, principal, interest, subsidy, household, annual_rate)
        )
        start, balance = due, balance - principal
    return lines
