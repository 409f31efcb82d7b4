"""The loan's money after disbursement: its position, repayments (还款) and their reversal (冲正).

The position is never stored: it is replayed by ``domain.ledger`` from the
terms fixed at credit and disbursement and the loan's events (live
repayments, extensions, a recall) as of the business date. What is stored is
what the replay implies at the moment of each event: the repayment's
allocation (as on the household's receipt), the principal outstanding (for the
fund's leverage check) and the state. The position itself is read in
``loans.services.position``; extensions and recall are in ``loans.services.extensions``,
compensation and recovery in ``loans.fund.services``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import g
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core import clock, uow
from loanflow.core.domain.money import format_money
from loanflow.core.errors import Conflict, Forbidden, Invalid, NotFound, msg
from loanflow.extensions import db
from loanflow.loans.domain.ledger import (
    Allocation,
    LedgerError,
    PaymentExceedsPayoff,
    Position,
)
from loanflow.loans.domain.ledger import Repayment as Paid
from loanflow.loans.guards import reversal_after_compensation
from loanflow.loans.models import Loan, Repayment
from loanflow.loans.services.actions import begin_action, check_event_date, load_loan, transition
from loanflow.loans.services.plan import revise_plan
from loanflow.loans.services.position import ledger_events, position_of, repayments_of
from loanflow.policy.services import current_policy

NEW = "new"  # the ledger id of the repayment being recorded


# --- the position is read in ``loans.services.position``


def allocation_json(a: Allocation) -> dict[str, Any]:
    """How a repayment was split, as stored on it and shown on the receipt."""
    return {
        "penalty": format_money(a.penalty),
        "compound": format_money(a.compound),
        "interest": format_money(a.interest),
        "principal": format_money(a.principal),
        "prepaid_principal": format_money(a.prepaid_principal),
        "advance": format_money(a.advance),
        "lines": [
            {
                "seq": x.seq,
                "due_date": x.due_date.isoformat(),
                "penalty": format_money(x.penalty),
                "compound": format_money(x.compound),
                "interest": format_money(x.interest),
                "principal": format_money(x.principal),
            }
            for x in a.lines
        ],
    }


def state_after(loan: Loan, pos: Position) -> str | None:
    """The state the position implies for a lent loan (None: keep it); a recalled loan stays recalled."""
    if pos.is_repaid:
        return "repaid"
    if loan.recalled_on is not None:
        return "recalled" if loan.state in ("recalled", "repaid") else None
    if loan.state in ("disbursed", "overdue", "repaid"):
        return "overdue" if pos.overdue else "disbursed"
    return None


def _money_changes(loan: Loan, pos: Position, dest: str | None, on: date | None = None) -> dict[str, Any]:
    changes: dict[str, Any] = {"principal_outstanding": pos.outstanding_principal}
    if dest in ("disbursed", "overdue", "recalled"):
        changes["overdue_since"] = pos.overdue_since
    if dest == "repaid":
        changes.update(closed_on=on or clock.today(), overdue_since=None)
    elif loan.state == "repaid":
        changes["closed_on"] = None
    return changes


# --- repay (还款) -------------------------------------------------------------------------------


def _already_recorded(actor: User, loan_id: int, key: str) -> Conflict | None:
    """The 409 for a repayment this officer already recorded under this Idempotency-Key, if any."""
    row = db.session.scalar(
        select(Repayment).where(Repayment.recorded_by_id == actor.id, Repayment.idempotency_key == key)
    )
    if row is None:
        return None
    return Conflict(
        msg(
            f"该笔还款已按此幂等键（Idempotency-Key）入账：还款 {row.id}，{format_money(row.amount)} 元，"
            f"{row.paid_on}，未重复入账",
            f"The repayment was already recorded under this Idempotency-Key: repayment {row.id}, "
            f"{format_money(row.amount)} yuan on {row.paid_on}; nothing was recorded twice",
            "repayment.already_recorded",
        ),
        state=load_loan(actor, loan_id).state,
    )


def repay_loan(
    actor: User, loan_id: int, amount: Decimal, on: date | None = None, *, prepay: bool = False
) -> Repayment:
    """Record money the household paid: penalty, then interest, then principal due; the rest is an
    advance (预收) for the next lines, or prepays principal with ``prepay`` or when it is the payoff.

    Under an ``Idempotency-Key`` (``g.idempotency_key``, set by ``api/idempotency``) the key is
    stored on the repayment, unique per officer: the same key again is a 409, even when the
    first answer was lost and the stored answer is gone.
    """
    key = g.get("idempotency_key")
    load_loan(actor, loan_id)  # 404 first
    if key and (done := _already_recorded(actor, loan_id, key)) is not None:
        raise done
    loan = begin_action(actor, loan_id, "repay")
    on = on or clock.today()
    check_event_date(loan, on)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise Invalid(
            {
                "amount": [
                    msg(
                        f"不能入账：还款金额须为大于零且精确到分的金额，不能是 {amount} 元",
                        f"Cannot be recorded: a repayment is a positive amount in whole fen, not {amount}",
                        "amount.positive_fen",
                    )
                ]
            }
        )
    cal = work_calendar()
    events = ledger_events(loan)
    try:
        pos = position_of(
            loan, max(on, clock.today()), events=[*events, Paid(on, amount, NEW, prepay)], calendar=cal
        )
    except PaymentExceedsPayoff as e:
        raise Invalid(
            {
                "amount": [
                    msg(
                        f"还款金额 {format_money(amount)} 元超过 {on} 的结清金额 {format_money(e.payoff)} 元",
                        f"The amount {format_money(amount)} exceeds the payoff of {format_money(e.payoff)} on {on}",
                        "amount.above_payoff",
                    )
                ]
            }
        ) from e
    except LedgerError as e:
        raise Invalid(
            {
                "amount": [
                    msg(
                        f"不能入账：该笔还款与贷款账目不符，请核对还款日期和金额（{on}，{format_money(amount)} 元）",
                        f"Cannot be recorded: {e}",
                        "amount.ledger",
                    )
                ]
            }
        ) from e
    allocation = next(a for a in pos.allocations if a.repayment_id == NEW)
    dest = state_after(loan, pos)
    if dest == loan.state or (dest != "repaid" and loan.state == "disbursed"):
        dest = None  # only the sweep stores disbursed → overdue
    stored = allocation_json(allocation)
    try:
        repayment_id = db.session.execute(
            insert(Repayment)
            .values(
                loan_id=loan.id,
                paid_on=on,
                amount=amount,
                recorded_by_id=actor.id,
                recorded_at=clock.now(),
                allocation=stored,
                prepay=prepay,
                idempotency_key=key or None,
            )
            .returning(Repayment.id)
        ).scalar_one()
    except IntegrityError as e:  # the same key raced in: the first one recorded it
        db.session.rollback()
        done = _already_recorded(actor, loan_id, key) if key else None
        if done is None:
            raise
        raise done from e
    changes = {
        **_money_changes(loan, pos, dest, on),
        **revise_plan(actor, loan, pos, "prepayment", on, repayment_id),
    }
    audit = {
        "repayment_id": repayment_id,
        "amount": amount,
        "paid_on": on,
        "prepay": prepay,
        "allocation": stored,
    }
    transition(actor, loan, "repay", dest=dest, changes=changes, audit_extra=audit)
    uow.flush()
    return db.session.get(Repayment, repayment_id)


# --- reverse (冲正) -----------------------------------------------------------------------------


def reverse_repayment(actor: User, loan_id: int, repayment_id: int, reason: str) -> Repayment:
    """Reverse a mistyped repayment by a compensating mark, by another officer (四眼原则)."""
    loan = begin_action(actor, loan_id, "reverse-repayment")
    repayment = db.session.get(Repayment, repayment_id)
    if repayment is None or repayment.loan_id != loan.id:
        raise NotFound(msg(f"该贷款没有还款记录 {repayment_id}", f"The loan has no repayment {repayment_id}"))
    if current_policy().four_eyes and repayment.recorded_by_id == actor.id:
        raise Forbidden(
            msg(
                "四眼原则：录入该笔还款的信贷员不得冲正，须由另一名信贷员办理",
                "Four eyes: the officer who recorded the repayment may not reverse it; another officer must",
                "four_eyes",
            )
        )
    if repayment.is_reversed:
        raise Conflict(
            msg(
                f"还款 {repayment_id} 已于此前冲正",
                f"Repayment {repayment_id} is already reversed",
                "reversed",
            ),
            state=loan.state,
        )
    if loan.compensated_on is not None and repayment.paid_on <= loan.compensated_on:
        raise Conflict(reversal_after_compensation(loan), state=loan.state)
    if not (reason or "").strip():
        raise Invalid({"reason": [msg("请填写冲正理由", "A reason is required")]})
    kept = [r for r in repayments_of(loan.id, live_only=True) if r.id != repayment.id]
    pos = position_of(loan, events=ledger_events(loan, kept))
    dest = state_after(loan, pos)
    marked = db.session.execute(
        update(Repayment)
        .where(Repayment.id == repayment.id, Repayment.reversed_at.is_(None))
        .values(reversed_by_id=actor.id, reversed_at=clock.now(), reversal_reason=reason.strip())
    )
    if marked.rowcount != 1:
        db.session.rollback()
        raise Conflict(msg("该笔还款刚被他人冲正", "Someone else reversed the repayment first", "reversed"))
    transition(
        actor,
        loan,
        "reverse-repayment",
        dest=None if dest in (None, loan.state) else dest,
        changes={
            **_money_changes(loan, pos, dest),
            **revise_plan(actor, loan, pos, "reversal", clock.today()),
        },
        reason=reason.strip(),
        audit_extra={"repayment_id": repayment.id, "amount": repayment.amount, "paid_on": repayment.paid_on},
    )
    uow.flush()
    db.session.refresh(repayment)
    return repayment
