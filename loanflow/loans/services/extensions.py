"""Extension (展期) and recall for misuse (挪用, 提前收回) of a disbursed loan.

The clerk records the household's request before maturity on a loan that is
not overdue; a bank officer approves it within the policy's limits
(``ledger.max_extension_months``). From the extension date the rate row of the
new total term applies (a total beyond the rate table's longest band takes
that band's rate: ``Policy.rate_for``) and the schedule is redone from that
date and stored as the next revision of the plan. The officer may instead decline
the request with a reason. A recall makes everything due at once and ends the
subsidy; the plan it leaves is a revision too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from loanflow.accounts.models import User
from loanflow.core import clock, uow
from loanflow.core.errors import Invalid, msg
from loanflow.documents import services as documents
from loanflow.loans.domain.ledger import (
    Extension,
    LedgerError,
    Recall,
    extended_maturity,
)
from loanflow.loans.guards import extension_months_left
from loanflow.loans.models import Loan
from loanflow.loans.services.actions import (
    begin_action,
    check_event_date,
    rate_on,
    transition,
)
from loanflow.loans.services.money import ledger_events, position_of
from loanflow.loans.services.plan import revise_plan
from loanflow.loans.workflow import LOANS
from loanflow.policy.services import current_policy


def _months_error(months: int, allowed: int) -> Invalid:
    return Invalid(
        {
            "months": [
                msg(
                    f"展期 {months} 个月超过政策允许的 {allowed} 个月",
                    f"An extension of {months} months is more than the {allowed} the policy allows",
                    "extension.too_long",
                )
            ]
        }
    )


# --- request-extension (申请展期) ---------------------------------------------------------------


def request_extension(actor: User, loan_id: int, months: int, reason: str) -> Loan:
    """Record the household's request for an extension (展期申请), before maturity."""
    loan = begin_action(actor, loan_id, "request-extension")
    policy, today = current_policy(), clock.today()
    allowed = extension_months_left(loan, policy)
    if months < 1:
        raise Invalid({"months": [msg("展期至少 1 个月", "An extension is at least one month")]})
    if months > allowed:
        raise _months_error(months, allowed)
    if not (reason or "").strip():
        raise Invalid({"reason": [msg("请填写展期理由", "A reason is required")]})
    changes = dict(
        extension_requested_months=months,
        extension_reason=reason.strip(),
        extension_requested_on=today,
        extension_requested_by_id=actor.id,
        **LOANS.stage("extension_requested", today, policy=policy),
    )
    transition(actor, loan, "request-extension", changes=changes, reason=reason.strip())
    uow.flush()
    return loan


# --- extend (展期) ------------------------------------------------------------------------------


def extend_loan(actor: User, loan_id: int, on: date | None = None) -> Loan:
    """Approve the pending request: new maturity, the rate of the new total term, the plan redone."""
    loan = begin_action(actor, loan_id, "extend")
    policy = current_policy()
    on = on or clock.today()
    check_event_date(loan, on)
    if on < loan.extension_requested_on:
        raise Invalid({"date": [msg("展期日期早于申请日期", "The date is before the request")]})
    months = loan.extension_requested_months
    allowed = extension_months_left(loan, policy)
    if months > allowed:
        raise _months_error(months, allowed)
    total_term = loan.credited_term_months + loan.extended_months + months
    new_rate = rate_on(policy, total_term, on, field="months")
    event = Extension(
        date=on,
        new_maturity=extended_maturity(
            loan.disbursed_on, loan.credited_term_months + loan.extended_months, months
        ),
        new_rate=new_rate,
        subsidy_continues=bool(policy.loan["extension"]["subsidy_continues"]),
        penalty_rate=policy.penalty_rate(new_rate),
        compound_rate=policy.compound_rate(new_rate),
    )
    try:
        pos = position_of(loan, on, events=[*ledger_events(loan), event])
    except LedgerError as e:
        raise Invalid(
            {
                "date": [
                    msg(
                        f"不能展期：{on} 的展期与该贷款的账目不符，请核对展期日期",
                        f"Cannot extend: {e}",
                        "extension.refused",
                    )
                ]
            }
        ) from e
    stored: dict[str, Any] = {
        "date": on.isoformat(),
        "months": months,
        "new_maturity": event.new_maturity.isoformat(),
        "new_rate": str(new_rate),
        "subsidy_continues": event.subsidy_continues,
        "penalty_rate": str(event.penalty_rate),
        "compound_rate": str(event.compound_rate),
        "policy_version": policy.version,
    }
    count = loan.extension_count + 1
    changes = dict(
        extension_requested_months=None,
        extension_reason=None,
        extension_requested_on=None,
        extension_requested_by_id=None,
        extended_months=loan.extended_months + months,
        extension_count=count,
        extended_on=on,
        extended_by_id=actor.id,
        extended_maturity_on=event.new_maturity,
        extension_rate=new_rate,
        extension_policy_version=policy.version,
        extension_events=[*(loan.extension_events or []), stored],
        extension_declined_on=None,
        extension_declined_reason=None,
        **LOANS.stage(None, on),  # the loan waits on no one
        **revise_plan(actor, loan, pos, "extension", on),
    )
    reason = loan.extension_reason or ""
    transition(actor, loan, "extend", changes=changes, reason=reason, audit_extra={"extension": stored})
    uow.flush()
    documents.owe(actor, "loan", loan.id, "extension_agreement")
    return loan


# --- decline-extension (不同意展期) --------------------------------------------------------------


def decline_extension(actor: User, loan_id: int, reason: str) -> Loan:
    """The bank declines the pending request with a reason: the request is cleared, another may be filed."""
    loan = begin_action(actor, loan_id, "decline-extension")
    if not (reason or "").strip():
        raise Invalid({"reason": [msg("请填写不同意展期的理由", "A reason is required", "reason.required")]})
    today = clock.today()
    changes = dict(
        extension_requested_months=None,
        extension_reason=None,
        extension_requested_on=None,
        extension_requested_by_id=None,
        extension_declined_on=today,
        extension_declined_reason=reason.strip(),
        **LOANS.stage(None, today),  # the loan waits on no one
    )
    audit = {"requested_months": loan.extension_requested_months, "request_reason": loan.extension_reason}
    transition(actor, loan, "decline-extension", changes=changes, reason=reason.strip(), audit_extra=audit)
    uow.flush()
    return loan


# --- recall (提前收回) --------------------------------------------------------------------------


def recall_loan(actor: User, loan_id: int, reason: str, on: date | None = None) -> Loan:
    """Recall the loan for misuse: everything is due at once, the subsidy stops that day."""
    loan = begin_action(actor, loan_id, "recall")
    on = on or clock.today()
    check_event_date(loan, on)
    if not (reason or "").strip():
        raise Invalid({"reason": [msg("请填写收回理由（挪用情形）", "A reason (the misuse) is required")]})
    try:
        pos = position_of(loan, events=[*ledger_events(loan), Recall(on)])
    except LedgerError as e:
        raise Invalid(
            {
                "date": [
                    msg(
                        f"不能收回：{on} 的收回与该贷款的账目不符，请核对收回日期",
                        f"Cannot recall: {e}",
                        "recall.refused",
                    )
                ]
            }
        ) from e
    changes = dict(
        recalled_on=on,
        overdue_since=pos.overdue_since,
        principal_outstanding=pos.outstanding_principal,
        extension_requested_months=None,
        extension_reason=None,
        extension_requested_on=None,
        extension_requested_by_id=None,
        **LOANS.stage(None, on),  # the loan waits on no one
        **revise_plan(actor, loan, pos, "recall", on),
    )
    transition(
        actor, loan, "recall", changes=changes, reason=reason.strip(), audit_extra={"payoff": pos.payoff}
    )
    uow.flush()
    return loan
