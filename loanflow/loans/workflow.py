"""The loan's case engine: the LOAN state table with its refusals and guards beside it.

Every loan action goes through ``LOANS`` (``services.actions.begin_action`` and
``transition`` are its two halves as the services call them). The guards are
named here per action, not registered by import: ``allowed_actions`` gives the
same answer in any interpreter, whatever module was imported first.
"""

from __future__ import annotations

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.calendar.services import work_calendar
from loanflow.core.domain.workflows import LOAN
from loanflow.core.workflow import CaseEngine
from loanflow.loans import guards
from loanflow.loans.models import Loan
from loanflow.policy.services import current_policy

LOANS = CaseEngine(
    table=LOAN,
    model=Loan,
    waiting_stages=guards.WAITING_STAGES,
    load=guards.load_loan,
    sees=guards.can_see_loan,
    role_refusal=guards.role_refusal,
    refusals=(guards.county_level, guards.four_eyes),
    state_refusal=guards.state_refusal,
    lost_race=guards.LOST_RACE,
    guards={
        "repay": (guards.something_owed,),
        "reverse-repayment": (guards.has_live_repayment,),
        "request-extension": (guards.may_request_extension,),
        "extend": (guards.extension_request_pending,),
        "decline-extension": (guards.extension_request_pending,),
        "claim-compensation": (guards.past_compensation_threshold,),
    },
    record=audit.record,
    chain=lambda loan: loan.county_code,
    policy=current_policy,
    calendar=work_calendar,
)


def allowed_actions(user: User, loan: Loan, four_eyes: bool | None = None) -> list[str]:
    """The actions the caller may take on the loan now (state, role, four eyes, case guards)."""
    return LOANS.allowed_actions(user, loan, LOANS.moment(four_eyes=four_eyes))


def may(user: User, loan: Loan, action: str, four_eyes: bool | None = None) -> bool:
    """Whether the caller may take this one action now (only its own guards run)."""
    return LOANS.may(user, loan, action, LOANS.moment(four_eyes=four_eyes))
