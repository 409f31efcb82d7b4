"""The replay machine behind ``ledger.position``: one mutable book per replay, never shared.

Lines and their interest segments are in ``ledger_lines``. Penalty and
compound interest are charged per line in runs between the events that change
the unpaid amounts, each run rounded to the fen.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from loanflow.loans.domain.daycount import WorkingDay, grace_end, round_fen
from loanflow.loans.domain.ledger_lines import BookLine, Segment, line_amounts, truncate
from loanflow.loans.domain.ledger_types import (
    ZERO,
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
)
from loanflow.loans.domain.schedule import settlement_dates, split_principal


class Book:
    """The loan replayed event by event; ``snapshot`` freezes it into a ``Position``."""

    def __init__(self, terms: LoanTerms, is_working_day: WorkingDay):
        self.terms = terms
        self.ratio = terms.subsidy_ratio
        self.is_working_day = is_working_day
        self.rate = terms.annual_rate
        self.penalty_rate = terms.penalty_rate
        self.compound_rate = terms.compound_rate
        self.subsidised = True
        self.maturity = terms.maturity
        self.recalled_on: date | None = None
        self.extensions = 0
        self.prepaid = ZERO
        self.held = ZERO  # the advance (预收): received, not yet applied
        self.allocations: list[Allocation] = []
        self.clock = terms.disbursed_on
        dues = settlement_dates(terms.disbursed_on, self.maturity)
        self.lines = self._plan(
            1, terms.disbursed_on, terms.disbursed_on, [], dues, terms.amount, terms.amount
        )

    # --- planning
    def _plan(
        self,
        seq: int,
        start: date,
        at: date,
        kept: list[Segment],
        dues: list[date],
        remaining: Decimal,
        opening: Decimal,
    ) -> list[BookLine]:
        """Lines from ``start`` to each due date; the first keeps its segments before ``at``."""
        parts = split_principal(remaining, len(dues), self.terms.method)
        lines, balance, line_start = [], remaining, start
        for k, (due, part) in enumerate(zip(dues, parts, strict=True)):
            segments = list(kept) if k == 0 else []
            seg_from = at if k == 0 else line_start
            if seg_from < due:
                segments.append(Segment(seg_from, due, balance, self.rate, self.subsidised))
            lines.append(
                BookLine(
                    seq + k,
                    line_start,
                    due,
                    opening if k == 0 else balance,
                    part,
                    segments,
                    self.rate,
                    self.penalty_rate,
                    self.compound_rate,
                )
            )
            balance -= part
            line_start = due
        return lines

    def _current(self, at: date) -> int | None:
        """Index of the line running on ``at`` (the first not yet due), if any."""
        return next((i for i, line in enumerate(self.lines) if line.due > at), None)

    def _not_yet_due(self, at: date) -> Decimal:
        return sum((line.principal for line in self.lines if line.due > at), ZERO)

    def _replan(self, at: date, remaining: Decimal) -> None:
        """Redo the lines from the running one with ``remaining`` principal from ``at``."""
        index = self._current(at)
        if index is None:
            return
        line = self.lines[index]
        dues = settlement_dates(line.start, self.maturity)
        if dues[0] <= at:
            raise LedgerError(f"cannot reschedule from {at.isoformat()}")
        kept = truncate(line.segments, at)
        self.lines[index:] = self._plan(line.seq, line.start, at, kept, dues, remaining, line.opening)

    def _cut(self, at: date, principal: Decimal) -> None:
        """End the running line on ``at`` with ``principal`` due then; drop the lines after it."""
        index = self._current(at)
        if index is None:
            return
        line = self.lines[index]
        line.segments = truncate(line.segments, at)
        line.grace = None
        line.due = at
        line.principal = principal
        del self.lines[index + 1 :]

    # --- replay
    def advance(self, on: date) -> None:
        """Move the clock to ``on``: the advance is applied on each due date passed, penalty charged."""
        if on < self.terms.disbursed_on:
            raise LedgerError(f"{on.isoformat()} is before the disbursement")
        if on < self.clock:
            raise LedgerError(f"{on.isoformat()} is before the previous event")
        if self.held > 0:
            for due in sorted({x.due for x in self.lines if self.clock <= x.due <= on}):
                self._charge(due)
                self._apply_held(due)
        self._charge(on)
        self.clock = on

    def _charge(self, on: date) -> None:
        for line in self.lines:
            line.charge_overdue(on, self.ratio, self.is_working_day)

    def apply(self, event: LedgerEvent) -> None:
        self.advance(event.date)
        if isinstance(event, Repayment):
            self._repay(event)
        elif isinstance(event, Extension):
            self._extend(event)
        elif isinstance(event, Recall):
            self._recall(event)
            self._apply_held(event.date)  # everything fell due: the advance pays it first
        else:
            raise LedgerError(f"unknown event {event!r}")

    def payoff(self, on: date) -> Decimal:
        return self.snapshot(on).payoff

    def _settle(self, on: date, budget: Decimal, paid: dict[int, dict[str, Decimal]]) -> Decimal:
        """Pay what is due on ``on`` from ``budget``: penalty and compound, interest, then principal,
        oldest line first; return what is left."""
        due = [x for x in self.lines if x.due <= on]

        def take(line: BookLine, kind: str, attr: str, unpaid: Decimal) -> None:
            nonlocal budget
            part = min(budget, unpaid)
            if part > 0:
                setattr(line, attr, getattr(line, attr) + part)
                slot = paid.setdefault(line.seq, {})
                slot[kind] = slot.get(kind, ZERO) + part
                budget -= part

        for line in due:
            take(line, "penalty", "penalty_paid", line.penalty - line.penalty_paid)
            take(line, "compound", "compound_paid", line.compound - line.compound_paid)
        for line in due:
            take(line, "interest", "interest_paid", line.household(self.ratio) - line.interest_paid)
        for line in due:
            take(line, "principal", "principal_paid", line.principal - line.principal_paid)
        return budget

    def _apply_held(self, on: date) -> None:
        """The advance (预收) pays the lines due on ``on`` as if brought that day."""
        if self.held > 0:
            self.held = self._settle(on, self.held, {})

    def _repay(self, event: Repayment) -> None:
        """Settle what is due; prepay principal only when asked or when the amount is the payoff;
        keep the rest as an advance applied on the next due dates."""
        on, amount = event.date, event.amount
        if amount <= 0 or amount != round_fen(amount):
            raise LedgerError(f"a repayment is a positive amount in whole fen, not {amount}")
        amount = round_fen(amount)
        payoff = self.payoff(on)
        if amount > payoff:
            raise PaymentExceedsPayoff(amount, payoff, on)
        paid: dict[int, dict[str, Decimal]] = {}
        left = self._settle(on, amount, paid)  # nothing is due unpaid while an advance is held
        closes = amount == payoff
        prepaid = ZERO
        if (closes or event.prepay) and self._current(on) is not None:
            budget = left + self.held if closes else left
            remaining = self._not_yet_due(on)
            prepaid = min(budget, remaining)
            if prepaid > 0:
                self.prepaid += prepaid
                if prepaid < remaining:
                    self._replan(on, remaining - prepaid)
                else:
                    # All principal repaid: the running line ends today and its interest to today falls due.
                    self._cut(on, ZERO)
            self.held += left - prepaid
            left = ZERO
            self.held = self._settle(on, self.held, paid)
        self.held += left
        self.allocations.append(self._allocation(event, paid, prepaid))

    def _allocation(
        self, event: Repayment, paid: dict[int, dict[str, Decimal]], prepaid: Decimal
    ) -> Allocation:
        due = {line.seq: line.due for line in self.lines}
        lines = tuple(LineAllocation(seq, due[seq], **parts) for seq, parts in sorted(paid.items()))

        def total(kind: str) -> Decimal:
            return sum((getattr(x, kind) for x in lines), ZERO)

        return Allocation(
            event.id,
            event.date,
            round_fen(event.amount),
            total("penalty"),
            total("compound"),
            total("interest"),
            total("principal"),
            prepaid,
            lines,
            self.held,
        )

    def _extend(self, event: Extension) -> None:
        if self.recalled_on is not None:
            raise LedgerError("a recalled loan cannot be extended")
        if event.date >= self.maturity or self._current(event.date) is None:
            raise LedgerError("a loan is extended before its maturity while principal is outstanding")
        if event.new_maturity <= self.maturity:
            raise LedgerError("the new maturity must be later than the current one")
        self.rate = event.new_rate
        self.subsidised = self.subsidised and event.subsidy_continues
        if event.penalty_rate is not None:
            self.penalty_rate = event.penalty_rate
        if event.compound_rate is not None:
            self.compound_rate = event.compound_rate
        self.maturity = event.new_maturity
        self.extensions += 1
        self._replan(event.date, self._not_yet_due(event.date))

    def _recall(self, event: Recall) -> None:
        if self.recalled_on is not None:
            raise LedgerError("the loan is already recalled")
        self._cut(event.date, self._not_yet_due(event.date))
        self.recalled_on = event.date
        self.subsidised = False

    # --- the result
    def snapshot(self, as_of: date) -> Position:
        """The position on ``as_of``; call ``advance(as_of)`` first so penalty is charged to it."""
        lines = tuple(self._ledger_line(line) for line in self.lines)
        due = [line for line in lines if line.due_date <= as_of]
        due_now = Owed(
            sum((x.unpaid.principal for x in due), ZERO),
            sum((x.unpaid.interest for x in due), ZERO),
            sum((x.unpaid.penalty for x in due), ZERO),
            sum((x.unpaid.compound for x in due), ZERO),
        )
        accrued = ZERO
        index = self._current(as_of)
        if index is not None:
            running = self.lines[index]
            interest, subsidy = line_amounts(truncate(running.segments, as_of), self.ratio)
            accrued = interest - subsidy - running.interest_paid
        outstanding = sum((x.principal - x.principal_paid for x in lines), ZERO)
        payoff = Owed(outstanding, due_now.interest + accrued, due_now.penalty, due_now.compound)
        oldest = next((x for x in due if not x.is_settled), None)
        overdue_since = None
        if oldest is not None and as_of > grace_end(oldest.due_date, self.is_working_day):
            overdue_since = oldest.due_date
        return Position(
            as_of=as_of,
            lines=lines,
            maturity=self.maturity,
            rate=self.rate,
            outstanding_principal=outstanding,
            due_now_owed=due_now,
            accrued_interest=accrued,
            payoff_owed=payoff,
            overdue_since=overdue_since,
            is_recalled=self.recalled_on is not None,
            recalled_on=self.recalled_on,
            extensions=self.extensions,
            allocations=tuple(self.allocations),
            prepaid_principal=self.prepaid,
            advance=self.held,
        )

    def _ledger_line(self, line: BookLine) -> LedgerLine:
        interest, subsidy = line_amounts(line.segments, self.ratio)
        return LedgerLine(
            seq=line.seq,
            start_date=line.start,
            due_date=line.due,
            opening_principal=line.opening,
            principal=line.principal,
            interest=interest,
            subsidy=subsidy,
            household_interest=interest - subsidy,
            rate=line.rate,
            principal_paid=line.principal_paid,
            interest_paid=line.interest_paid,
            penalty=line.penalty,
            penalty_paid=line.penalty_paid,
            compound=line.compound,
            compound_paid=line.compound_paid,
        )
