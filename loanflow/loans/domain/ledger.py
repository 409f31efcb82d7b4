"""The loan ledger (贷款台账): a loan's position as of a date, by replaying its events.

``position(terms, events, as_of)`` starts from the schedule fixed at
disbursement and applies the events in date order (then in the order given):
``Repayment``, ``Extension`` (展期) and ``Recall`` (提前收回). A reversed
repayment (冲正) is simply left out by the caller, and the replay gives the
position as if it had never been made. Nothing here reads a clock, a database
or the policy: the service passes the policy's numbers in ``LoanTerms`` and the
events.

Rules and the decisions taken where DOMAIN.md leaves room:

- A repayment may be any amount up to ``payoff`` (what closes the loan, less the
  advance held); above it ``PaymentExceedsPayoff`` carries the payoff. It settles,
  over the lines already due (oldest first), penalty and compound interest, then
  the household's interest, then principal. What is left is an advance (预收,
  ``Position.advance``): it pays the next lines on their due dates, in the same
  order, before any penalty is charged, so an instalment brought early is paid
  on its date and never overdue; after a recall it pays what fell due at once.
  The advance never sits beside a debt: once it is held, nothing due is unpaid.
- Principal is prepaid only when the repayment says so (``prepay``: the rest of
  this repayment) or its amount is the payoff (the advance goes with it and the
  loan closes).
- Prepayment (提前还款): interest on the prepaid principal stops that day; the
  running line's interest becomes (old balance to that day + new balance after)
  rounded once, and the later lines are redone. ``balloon`` keeps all principal
  at maturity; ``equal_principal`` keeps the term and re-spreads the remaining
  principal equally over the running and later lines (rounded down, the last
  line takes the remainder) — the usual Chinese bank choice (缩短期限 is not
  offered). A prepayment of all the principal ends the running line that day and
  its interest to that day falls due at once, so paying ``payoff`` closes the loan.
- Penalty interest (罚息) replaces the contract rate on principal past its due
  date: contract interest runs only on principal not yet due, so overdue
  principal is never charged both. Compound interest (复利) is simple interest at
  the compound rate on the household's unpaid interest past its due date; no
  interest is charged on unpaid penalty or compound. Neither is subsidised.
- Both are charged from the due date itself, but only once the due date's grace
  has passed: a due date on a non-working day is met by paying on the next
  working day, with nothing extra; what is still unpaid after the grace is
  charged from the due date. Each charge runs between the events that
  change the unpaid amounts and is rounded half-up to the fen per line and run.
- Recall: the running line ends on the recall date with all principal not yet
  due; its interest to that date is still split by the subsidy ratio. After it
  every unpaid amount is overdue and bears penalty/compound, never subsidised.
- Extension: from its date the running and later lines are redone up to the new
  maturity at the new rate (the running line: old rate before, new rate after,
  rounded once); principal is re-spread as for a prepayment; if the subsidy does
  not continue, interest after that date is the household's; lines falling due
  after it take the penalty and compound rates the event carries (the service
  passes the policy's rates for the new rate). A new maturity is
  counted from disbursement over the whole new term (``extended_maturity``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from loanflow.loans.domain.daycount import WorkingDay, add_months, is_weekday
from loanflow.loans.domain.ledger_book import Book
from loanflow.loans.domain.ledger_types import (
    Allocation,
    Extension,
    LedgerError,
    LedgerEvent,
    LedgerLine,
    LineAllocation,
    LoanTerms,
    Owed,
    PaymentExceedsPayoff,
    Position,
    Recall,
    Repayment,
    SubsidyClaim,
)

__all__ = [
    "Allocation",
    "Extension",
    "LedgerError",
    "LedgerEvent",
    "LedgerLine",
    "LineAllocation",
    "LoanTerms",
    "Owed",
    "PaymentExceedsPayoff",
    "Position",
    "Recall",
    "Repayment",
    "SubsidyClaim",
    "extended_maturity",
    "max_extension_months",
    "position",
    "subsidy_claims",
]


def position(
    terms: LoanTerms,
    events: Sequence[LedgerEvent],
    as_of: date,
    is_working_day: WorkingDay = is_weekday,
) -> Position:
    """The loan as of ``as_of``: events dated later are ignored.

    Raises ``LedgerError`` for an event the loan cannot take (dated before the
    disbursement, an extension after a recall …) and ``PaymentExceedsPayoff`` for a
    repayment above what closed the loan on its date.
    """
    if as_of < terms.disbursed_on:
        raise LedgerError(f"{as_of.isoformat()} is before the disbursement")
    book = Book(terms, is_working_day)
    for event in sorted((e for e in events if e.date <= as_of), key=lambda e: e.date):
        book.apply(event)
    book.advance(as_of)
    return book.snapshot(as_of)


def subsidy_claims(position: Position, start: date, end: date) -> list[SubsidyClaim]:
    """The treasury's share (贴息) of each line settled between ``start`` and ``end`` (both counted).

    Only lines already due on the position's date are claimed; lines without a
    subsidy are left out.
    """
    last = min(end, position.as_of)
    return [
        SubsidyClaim(line.seq, line.due_date, line.interest, line.subsidy)
        for line in position.lines
        if start <= line.due_date <= last and line.subsidy > 0
    ]


def max_extension_months(original_term: int, extension: Mapping[str, Any], extensions_so_far: int = 0) -> int:
    """The longest extension (展期) allowed: 0 once ``max_count`` is used.

    At most ``max_months``; for terms up to ``short_term_months`` at most the
    original term × ``short_term_factor``, above it × ``long_term_factor``, rounded
    down to whole months.
    """
    if extensions_so_far >= int(extension["max_count"]):
        return 0
    short = original_term <= int(extension["short_term_months"])
    factor = Decimal(str(extension["short_term_factor" if short else "long_term_factor"]))
    by_term = int((original_term * factor).to_integral_value(rounding=ROUND_DOWN))
    return max(0, min(int(extension["max_months"]), by_term))


def extended_maturity(disbursed_on: date, term_months: int, months: int) -> date:
    """The maturity after extending by ``months``: the whole new term counted from disbursement."""
    return add_months(disbursed_on, term_months + months)
