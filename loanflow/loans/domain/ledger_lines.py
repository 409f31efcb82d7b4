"""The mutable lines of a replay: interest segments, what is charged and paid on each line.

A line's contract interest is kept as segments (from, to, balance, rate,
subsidised) whose numerators balance × rate × days are exact; the line's
interest is their sum / 360 rounded half-up once, so a prepayment or an
extension in mid-period changes the line's interest without double rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from loanflow.loans.domain.daycount import (
    WorkingDay,
    grace_end,
    interest_numerator,
    round_fen,
    round_interest,
)
from loanflow.loans.domain.ledger_types import ZERO


@dataclass(frozen=True)
class Segment:
    """Contract interest on ``balance`` at ``rate`` from ``start`` (counted) to ``end`` (not counted)."""

    start: date
    end: date
    balance: Decimal
    rate: Decimal
    subsidised: bool

    @property
    def numerator(self) -> Decimal:
        return interest_numerator(self.balance, self.rate, self.start, self.end)


def truncate(segments: list[Segment], at: date) -> list[Segment]:
    """The segments before ``at``, the one spanning it cut short."""
    kept = [s for s in segments if s.start < at]
    if kept and kept[-1].end > at:
        last = kept[-1]
        kept[-1] = Segment(last.start, at, last.balance, last.rate, last.subsidised)
    return kept


def line_amounts(segments: list[Segment], ratio: Decimal) -> tuple[Decimal, Decimal]:
    """(interest, treasury subsidy) of a line: only subsidised segments are shared by the treasury."""
    interest = round_interest(sum((s.numerator for s in segments), ZERO))
    subsidisable = round_interest(sum((s.numerator for s in segments if s.subsidised), ZERO))
    return interest, round_fen(subsidisable * ratio)


@dataclass
class BookLine:
    """A schedule line during a replay, with what is charged and paid on it."""

    seq: int
    start: date
    due: date
    opening: Decimal
    principal: Decimal
    segments: list[Segment]
    rate: Decimal
    penalty_rate: Decimal
    compound_rate: Decimal
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    penalty: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    compound: Decimal = ZERO
    compound_paid: Decimal = ZERO
    charged_to: date | None = None
    grace: date | None = field(default=None, repr=False)

    def household(self, ratio: Decimal) -> Decimal:
        interest, subsidy = line_amounts(self.segments, ratio)
        return interest - subsidy

    def charge_overdue(self, on: date, ratio: Decimal, is_working_day: WorkingDay) -> None:
        """Charge penalty and compound interest up to ``on`` once the grace has passed."""
        if self.grace is None:
            self.grace = grace_end(self.due, is_working_day)
        if on <= self.grace:
            return
        since = self.charged_to or self.due
        if on <= since:
            return
        unpaid_principal = self.principal - self.principal_paid
        unpaid_interest = self.household(ratio) - self.interest_paid
        if unpaid_principal > 0:
            self.penalty += round_interest(interest_numerator(unpaid_principal, self.penalty_rate, since, on))
        if unpaid_interest > 0:
            self.compound += round_interest(
                interest_numerator(unpaid_interest, self.compound_rate, since, on)
            )
        self.charged_to = on
