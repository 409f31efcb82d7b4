"""The subsidy's case engine: the SUBSIDY state table with its refusals and guards beside it.

Every subsidy action is checked and written by ``SUBSIDIES`` (``core.workflow``):
the guarded UPDATE, the audit event ``subsidy.<action>`` on the county's chain
and the stage deadline. The 公示 guards are named here per action.
"""

from __future__ import annotations

from datetime import date

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.calendar.services import work_calendar
from loanflow.core.domain.policy import Policy
from loanflow.core.domain.workflows import SUBSIDY, Step
from loanflow.core.workflow import CaseEngine
from loanflow.policy.services import current_policy
from loanflow.subsidies import rules
from loanflow.subsidies.models import SubsidyCase

SUBSIDIES = CaseEngine(
    table=SUBSIDY,
    model=SubsidyCase,
    waiting_stages=rules.WAITING_STAGES,
    load=rules.load_case,
    sees=rules.can_view_subsidy,
    role_refusal=rules.role_refusal,
    refusals=(rules.level, rules.four_eyes),
    state_refusal=rules.state_refusal,
    lost_race=rules.LOST_RACE,
    guards={"approve": (rules.publicity_over,), "object": (rules.publicity_running,)},
    record=audit.record,
    chain=lambda case: case.county_code,
    policy=current_policy,
    calendar=work_calendar,
    audit_columns=False,  # each use case names what its event shows (the computation, the 公示 dates…)
    keeps_stage_start=True,  # stage_started_on is never empty: when the case entered its state
)


def allowed_actions(actor: User, case: SubsidyCase, policy: Policy, today: date) -> list[str]:
    """What the caller may do to the case now (role, level, four eyes, the 公示 period)."""
    return SUBSIDIES.allowed_actions(actor, case, SUBSIDIES.moment(policy=policy, today=today))


def check_action(actor: User, case: SubsidyCase, action: str, policy: Policy, today: date) -> Step:
    """403 for role, level or four eyes, then 409 for state or the 公示 period; return the step."""
    return SUBSIDIES.check(actor, case, action, SUBSIDIES.moment(policy=policy, today=today))
