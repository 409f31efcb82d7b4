"""Use cases of the 5321 loan: the common halves of every action, reject and withdraw.

Every action runs the same way: load (404 outside the caller's scope) → role
and four eyes (403) → state and case guards (409, listing what the caller may
do) → input and eligibility (422, every reason) → the guarded UPDATE on (id,
state, version) → the rows it creates → the audit event → one commit.
``begin_action`` and ``transition`` are the two halves every other loan service
reuses (``loan_apply``, ``loan_credit`` for rate, credit and disbursement, ``loan_money``,
``loan_extensions``, ``loan_fund``, the sweep); ``check_event_date``,
``store_schedule`` and ``rate_on`` are shared by them too. ``ACTION_GUARDS``/
``register_guard`` take the case guards.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.domain.labels import label
from loanflow.core.domain.policy import Policy, PolicyError
from loanflow.core.domain.workflows import LOAN, NotAllowedInState, RoleMayNot
from loanflow.core.errors import Conflict, Forbidden, Invalid, msg
from loanflow.extensions import db
from loanflow.loans.models import Loan, LoanScheduleLine, Repayment
from loanflow.loans.services.queries import (
    ACTION_GUARDS,
    WAITING_STAGES,
    allowed_actions,
    four_eyes_reason,
    get_loan,
    guard_reason,
    list_loans,
    load_loan,
    register_guard,
)
from loanflow.policy.services import current_policy

__all__ = [
    "ACTION_GUARDS",
    "allowed_actions",
    "begin_action",
    "check_event_date",
    "get_loan",
    "list_loans",
    "rate_on",
    "register_guard",
    "reject_loan",
    "stage_deadline",
    "store_schedule",
    "transition",
    "withdraw_loan",
]

ROLE_REFUSALS = {
    "clerk": ("只有经办员可以办理此操作", "Only a clerk may do this"),
    "bank_officer": ("只有信贷员可以办理此操作", "Only a bank loan officer may do this"),
}


def _conflict(actor: User | None, loan: Loan, action: str, message=None) -> Conflict:
    state_msg = msg(
        f"贷款当前状态为“{label('loan_state', loan.state)}”，不能{label('loan_action', action)}",
        f"The loan is {loan.state}; '{action}' is not allowed in that state",
        "state",
    )
    allowed = allowed_actions(actor, loan) if actor is not None else []  # None: the system (the sweep)
    return Conflict(message or state_msg, allowed_actions=allowed, state=loan.state)


def begin_action(actor: User, loan_id: int, action: str) -> Loan:
    """Load the loan and check scope (404), role and four eyes (403), state and guards (409)."""
    loan = load_loan(actor, loan_id)
    step = LOAN.by_action.get(action)
    try:
        LOAN.check(action, loan.state, actor.role)
    except RoleMayNot as e:
        roles = sorted(step.roles) if step else []
        zh, en = ROLE_REFUSALS.get(roles[0] if roles else "", ("您的角色不能办理此操作", "Your role may not"))
        raise Forbidden(msg(zh, en, "role")) from e
    except NotAllowedInState as e:
        _check_four_eyes(actor, loan, action)
        raise _conflict(actor, loan, action) from e
    _check_four_eyes(actor, loan, action)
    reason = guard_reason(actor, loan, action)
    if reason is not None:
        raise _conflict(actor, loan, action, reason)
    return loan


def _check_four_eyes(actor: User, loan: Loan, action: str) -> None:
    step = LOAN.by_action.get(action)
    if step is None or step.not_by_actor_of is None:
        return
    reason = four_eyes_reason(actor, loan, action, current_policy().four_eyes)
    if reason is not None:
        raise Forbidden(reason)


def stage_deadline(stage: str, start: date, policy=None) -> dict[str, Any]:
    """The deadline columns for a waiting stage starting on ``start`` (working days, 限时办结)."""
    from loanflow.calendar.services import work_calendar

    days = (policy or current_policy()).deadline_days("loan", stage)
    if days is None:
        return {**NO_STAGE, "stage_started_on": start}
    due = work_calendar().add_working_days(start, days)
    return {
        "stage_started_on": start,
        "stage_days": days,
        "stage_due_on": due.date,
        "stage_due_provisional": due.provisional,
    }


NO_STAGE = {
    "stage_started_on": None,
    "stage_days": None,
    "stage_due_on": None,
    "stage_due_provisional": False,
}


# Built once; the SET clause comes from each call's parameters (see SQLAlchemy's "UPDATE with
# parameters"), so the statement's compiled form is cached per set of columns.
_LOANS = Loan.__table__
_GUARDED_UPDATE = update(_LOANS).where(
    _LOANS.c.id == bindparam("g_id"),
    _LOANS.c.state == bindparam("g_state"),
    _LOANS.c.version == bindparam("g_version"),
)


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
    """Fire ``action`` through the state table and write it: guarded UPDATE + audit event, no commit.

    ``changes`` are further columns of the loan; when the new state waits on
    someone the stage deadline is set (cleared otherwise), unless ``changes``
    sets it. A lost race (another request moved the loan first) is a 409.
    """
    old_state, old_version = loan.state, loan.version
    new_state = LOAN.outcome(old_state, action, dest)
    values = dict(changes or {})
    if new_state != old_state and "stage_due_on" not in values:
        stage = WAITING_STAGES.get(new_state)
        values.update(stage_deadline(stage, clock.today()) if stage else NO_STAGE)
    values.update(state=new_state, version=old_version + 1, updated_at=clock.now())
    result = db.session.connection().execute(
        _GUARDED_UPDATE, {**values, "g_id": loan.id, "g_state": old_state, "g_version": old_version}
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(loan)
        raise _conflict(
            actor,
            loan,
            action,
            msg(
                "该贷款刚被他人办理，状态已变化，请刷新后重试",
                "Someone else acted on this loan first; reload and retry",
                "state_changed",
            ),
        )
    for key, value in values.items():
        set_committed_value(loan, key, value)
    before = {"state": old_state}
    after = {k: v for k, v in values.items() if k not in ("version", "updated_at")}
    after.update(audit_extra or {})
    audit.record(
        actor,
        f"loan.{action}",
        "loan",
        loan.id,
        chain=loan.county_code,
        before=before,
        after=after,
        reason=reason,
    )
    return new_state


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


def store_schedule(loan_id: int, revision: int, lines: Iterable) -> None:
    """Store a plan as fixed at disbursement (revision 0) or by the n-th extension (revision n)."""
    db.session.execute(
        insert(LoanScheduleLine),
        [
            dict(
                loan_id=loan_id,
                revision=revision,
                seq=line.seq,
                start_date=line.start_date,
                due_date=line.due_date,
                opening_principal=line.opening_principal,
                principal=line.principal,
                interest=line.interest,
                subsidy=line.subsidy,
                household_interest=line.household_interest,
                rate=line.rate,
            )
            for line in lines
        ],
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
