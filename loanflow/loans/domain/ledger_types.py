"""The values the loan ledger reads and returns: terms, events, lines, allocations, the position.

All frozen; money is ``Decimal`` in yuan, whole fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from loanflow.core.domain.money import ZERO
from loanflow.loans.domain.schedule import METHODS, maturity_date


class LedgerError(ValueError):
    """An event the loan cannot take (a date before disbursement, an extension after a recall …)."""


class PaymentExceedsPayoff(LedgerError):
    """A repayment above what closes the loan (超过结清金额); ``payoff`` is what would close it."""

    def __init__(self, amount: Decimal, payoff: Decimal, on: date):
        super().__init__(f"the amount {amount} exceeds the payoff {payoff} on {on.isoformat()}")
        self.amount = amount
        self.payoff = payoff
        self.on = on


@dataclass(frozen=True)
class LoanTerms:
    """What the loan was disbursed on; the rates come from the policy in force at credit."""

    amount: Decimal
    annual_rate: Decimal
    disbursed_on: date
    term_months: int
    method: str
    subsidy_ratio: Decimal
    penalty_rate: Decimal
    compound_rate: Decimal

    def __post_init__(self) -> None:
        if self.amount <= 0 or self.amount != self.amount.quantize(Decimal("0.01")):
            raise LedgerError(f"the amount must be positive and whole fen, not {self.amount}")
        if self.term_months < 1:
            raise LedgerError("the term is at least one month")
        if self.method not in METHODS:
            raise LedgerError(f"unknown repayment method {self.method!r}")
        if not Decimal(0) <= self.subsidy_ratio <= Decimal(1):
            raise LedgerError("the subsidy ratio lies between 0 and 1")
        if min(self.annual_rate, self.penalty_rate, self.compound_rate) < 0:
            raise LedgerError("rates are not negative")

    @property
    def maturity(self) -> date:
        """The original maturity (到期日)."""
        return maturity_date(self.disbursed_on, self.term_months)


@dataclass(frozen=True)
class Repayment:
    """Money the household paid (还款); a reversed one is left out of the events.

    ``prepay``: what is left after the amounts due prepays principal (提前还款);
    without it the rest is kept as an advance (预收) for the next lines.
    """

    date: date
    amount: Decimal
    id: str | int | None = None
    prepay: bool = False


@dataclass(frozen=True)
class Extension:
    """展期: from ``date`` the rest is rescheduled at ``new_rate`` up to ``new_maturity``.

    ``penalty_rate``/``compound_rate``, when given, apply to lines falling due after
    the extension (the service passes ``policy.penalty_rate(new_rate)``).
    """

    date: date
    new_maturity: date
    new_rate: Decimal
    subsidy_continues: bool = True
    penalty_rate: Decimal | None = None
    compound_rate: Decimal | None = None


@dataclass(frozen=True)
class Recall:
    """提前收回 for misuse: everything falls due on ``date``; nothing is subsidised after it."""

    date: date


LedgerEvent = Repayment | Extension | Recall


@dataclass(frozen=True)
class Owed:
    """An amount broken down: principal 本金, interest 利息, penalty 罚息, compound 复利."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    compound: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.compound


@dataclass(frozen=True)
class LedgerLine:
    """A line of the current schedule with what has been charged and paid on it.

    ``interest``/``subsidy``/``household_interest`` are the whole line's (to its due
    date); ``interest_paid`` is the household's share paid. ``penalty`` (罚息, on
    principal unpaid after the due date) and ``compound`` (复利, on household
    interest unpaid after it) are charged up to the position's date.
    """

    seq: int
    start_date: date
    due_date: date
    opening_principal: Decimal
    principal: Decimal
    interest: Decimal
    subsidy: Decimal
    household_interest: Decimal
    rate: Decimal
    principal_paid: Decimal
    interest_paid: Decimal
    penalty: Decimal
    penalty_paid: Decimal
    compound: Decimal
    compound_paid: Decimal

    @property
    def unpaid(self) -> Owed:
        """What the household still owes on this line."""
        return Owed(
            self.principal - self.principal_paid,
            self.household_interest - self.interest_paid,
            self.penalty - self.penalty_paid,
            self.compound - self.compound_paid,
        )

    @property
    def is_settled(self) -> bool:
        return self.unpaid.total == 0


@dataclass(frozen=True)
class LineAllocation:
    """The part of a repayment that went to one line."""

    seq: int
    due_date: date
    penalty: Decimal = ZERO
    compound: Decimal = ZERO
    interest: Decimal = ZERO
    principal: Decimal = ZERO


@dataclass(frozen=True)
class Allocation:
    """How one repayment was split (还款分配): penalty and compound, interest, principal, prepayment."""

    repayment_id: str | int | None
    date: date
    amount: Decimal
    penalty: Decimal
    compound: Decimal
    interest: Decimal
    principal: Decimal
    prepaid_principal: Decimal
    lines: tuple[LineAllocation, ...]
    advance: Decimal = ZERO  # the advance (预收) held after this repayment


@dataclass(frozen=True)
class SubsidyClaim:
    """A line of the treasury's quarterly claim list (贴息清单)."""

    seq: int
    settlement_date: date
    interest: Decimal
    subsidy: Decimal


@dataclass(frozen=True)
class Position:
    """The loan as of ``as_of``: the schedule with payments, what is due, what closes it.

    ``due_now``: due and unpaid (household share, with penalty and compound).
    ``payoff``: what closes the loan today — outstanding principal, unpaid
    household interest including the current period's accrued to today (算头不算尾),
    penalty and compound (``payoff_owed`` breaks it down), less the ``advance``
    (预收: money received and not yet applied). ``accrued_interest`` is the
    household's share accrued on the current line and not yet due.
    """

    as_of: date
    lines: tuple[LedgerLine, ...]
    maturity: date
    rate: Decimal
    outstanding_principal: Decimal
    due_now_owed: Owed
    accrued_interest: Decimal
    payoff_owed: Owed
    overdue_since: date | None
    is_recalled: bool
    recalled_on: date | None
    extensions: int
    allocations: tuple[Allocation, ...]
    prepaid_principal: Decimal
    advance: Decimal = ZERO

    @property
    def due_now(self) -> Decimal:
        return self.due_now_owed.total

    @property
    def payoff(self) -> Decimal:
        return self.payoff_owed.total - self.advance

    @property
    def overdue(self) -> bool:
        return self.overdue_since is not None

    @property
    def days_overdue(self) -> int:
        """Days since the due date of the oldest unpaid item, once its grace has passed; else 0."""
        return (self.as_of - self.overdue_since).days if self.overdue_since else 0

    @property
    def is_repaid(self) -> bool:
        return self.payoff == 0
