"""Use cases of the 5321 loan: the common halves of every action, reject and withdraw.

Every action runs the same way, through the loan engine (``loans.workflow.LOANS``,
the one engine of ``core.workflow``): load (404 outside the caller's scope) → role
and four eyes (403) → state and case guards (409, listing what the caller may
do) → input and eligibility (422, every reason) → the guarded UPDATE on (id,
state, version) → the rows it creates → the audit event → flush (the request's unit
of work commits).
``begin_action`` and ``transition`` are the engine's two halves as every other
loan service calls them (``credit`` for rate, credit and disbursement, ``money``,
``extensions``, ``fund``, the sweep); ``check_event_date`` and ``rate_on`` are shared
by them too. The case guards are declared beside
the table in ``loans.workflow``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.core import clock, uow
from loanflow.core.domain.policy import Policy, PolicyError
from loanflow.core.errors import Invalid, msg
from loanflow.extensions import db
from loanflow.loans.models import Loan, Repayment
from loanflow.loans.services.queries import get_loan, list_loans, load_loan
from loanflow.loans.workflow import LOANS, allowed_actions

__all__ = [
    "allowed_actions",
    "begin_action",
    "check_event_date",
    "get_loan",
    "list_loans",
    "load_loan",
    "rate_on",
    "reject_loan",
    "transition",
    "withdraw_loan",
]


def begin_action(actor: User, loan_id: int, action: str) -> Loan:
    """Load the loan and check scope (404), role and four eyes (403), state and guards (409)."""
    return LOANS.begin(actor, loan_id, action)


def transition(
    actor: User | None,
    loan: Loan,
    action: str,
    *,
    dest: str | None = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    audit_extra: dict[str, Any] | None = None,
) -> str:
    """Fire ``action`` through the loan engine: guarded UPDATE + audit event ``loan.<action>``, no commit.

    ``changes`` are further columns of the loan; when the new state waits on
    someone the stage deadline is set (cleared otherwise), unless ``changes``
    sets it. A lost race (another request moved the loan first) is a 409.
    """
    return LOANS.move(actor, loan, action, dest=dest, changes=changes, reason=reason, audit_extra=audit_extra)


# --- shared by the actions: event dates, the stored plan, the rate -------------------------------


def previous_event_date(loan: Loan) -> date:
    """The date of the loan's latest event (application to the last live repayment)."""
    dates = [
        loan.applied_on,
        loan.rated_on,
        loan.credited_on,
        loan.disbursed_on,
        loan.recalled_on,
        loan.compensated_on,
    ]
    dates += [date.fromisoformat(e["date"]) for e in loan.extension_events or []]
    if loan.disbursed_on is not None:
        dates.append(
            db.session.scalar(
                select(Repayment.paid_on)
                .where(Repayment.loan_id == loan.id, Repayment.reversed_at.is_(None))
                .order_by(Repayment.paid_on.desc())
                .limit(1)
            )
        )
    return max(d for d in dates if d is not None)


def check_event_date(loan: Loan, on: date, field: str = "date") -> None:
    """Not after the business date, nor before the loan's previous event (422 naming the field)."""
    today, previous = clock.today(), previous_event_date(loan)
    if on > today:
        raise Invalid(
            {
                field: [
                    msg(f"日期 {on} 晚于今天 {today}", f"The date {on} is after today {today}", "date.future")
                ]
            }
        )
    if on < previous:
        raise Invalid(
            {
                field: [
                    msg(
                        f"日期 {on} 早于该贷款上一笔业务的日期 {previous}",
                        f"The date {on} is before the loan's previous event on {previous}",
                        "date.before_previous",
                    )
                ]
            }
        )


def rate_on(policy: Policy, term_months: int, on: date, field: str = "term_months") -> Decimal:
    """The policy's rate for the term on that date; a rate table that has none is a 422, not a 500."""
    try:
        return policy.rate_for(term_months, on)
    except PolicyError as e:
        raise Invalid(
            {
                field: [
                    msg(
                        f"政策利率表中没有 {on} 适用于 {term_months} 个月期限的利率，请管理员检查政策",
                        f"The policy's rate table has no rate for {term_months} months on {on} ({e}); "
                        "an admin must check the policy",
                        "policy.no_rate",
                    )
                ]
            }
        ) from e


# --- closing before disbursement ----------------------------------------------------------------


def _close(actor: User, loan_id: int, action: str, reason: str) -> Loan:
    loan = begin_action(actor, loan_id, action)
    if not (reason or "").strip():
        raise Invalid({"reason": [msg("请填写理由", "A reason is required")]})
    transition(
        actor,
        loan,
        action,
        changes={"closed_on": clock.today(), "closing_reason": reason.strip()},
        reason=reason,
    )
    uow.flush()
    return loan


def reject_loan(actor: User, loan_id: int, reason: str) -> Loan:
    """The bank refuses the loan before disbursement (拒绝)."""
    return _close(actor, loan_id, "reject", reason)


def withdraw_loan(actor: User, loan_id: int, reason: str) -> Loan:
    """The household withdraws its application, through the clerk (撤回)."""
    return _close(actor, loan_id, "withdraw", reason)
