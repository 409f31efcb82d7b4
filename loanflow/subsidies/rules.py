"""Who may act on a subsidy case and when, the stage deadlines, and the guarded state change.

Levels (decided here, see docs/decisions.md): an approver of a township
(9-digit region) verifies, publicizes, records objections and rejects before
approval; an approver of the county (6 digits) approves and disburses, may
take the township steps for any township of the county, and is the only one
who may reject an approved case. Who verified a case may not approve it
(four eyes, policy).

Refusals come in DOMAIN.md's order: 404 outside the caller's region → 403
role, level or four eyes → 409 state or period → 422 input.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from loanflow.accounts.models import User
from loanflow.core import clock
from loanflow.core.domain.policy import Policy
from loanflow.core.domain.workdays import WorkCalendar
from loanflow.core.domain.workflows import SUBSIDY, NotAllowedInState, Step
from loanflow.core.errors import Conflict, Forbidden, Msg, NotFound, msg
from loanflow.core.scope import sees_village
from loanflow.extensions import db
from loanflow.policy.services import current_policy
from loanflow.subsidies.models import SubsidyCase

TOWNSHIP_STEPS = frozenset({"verify", "publicize", "object"})
COUNTY_STEPS = frozenset({"approve", "disburse"})
WAITING_STAGES = ("applied", "verified", "publicized", "approved")


def can_view_subsidy(user: User, case: SubsidyCase) -> bool:
    return sees_village(user, case.village_code)


def load_case(actor: User, case_id: int) -> SubsidyCase:
    """A case the caller may see; 404 otherwise (outside the region looks like absent)."""
    case = db.session.get(SubsidyCase, case_id)
    if case is None or not can_view_subsidy(actor, case):
        raise NotFound(msg(f"奖补案件 {case_id} 不存在", f"Subsidy case {case_id} not found"))
    return case


def level_refusal(user: User, action: str, state: str) -> Msg | None:
    """Why an approver's level may not take this action, or None."""
    if user.role != "approver":
        return None
    level = user.region_level
    if action in COUNTY_STEPS and level != "county":
        return msg(
            "只有县级审核员可以审批和发放奖补",
            "Only a county-level approver may approve or pay out a subsidy",
            "level",
        )
    if action == "reject" and state == "approved" and level != "county":
        return msg(
            "已审批的案件只能由县级审核员拒绝",
            "Only a county-level approver may reject an approved case",
            "level",
        )
    if level == "village":
        return msg("村级用户不能审核奖补", "A village-level approver may not act on subsidies", "level")
    return None


def four_eyes_refusal(user: User, case: SubsidyCase, step: Step, policy: Policy) -> Msg | None:
    if policy.four_eyes and step.not_by_actor_of == "verify" and case.verified_by_id == user.id:
        return msg(
            "核验人不能审批同一案件（四眼原则）",
            "Who verified a case may not approve it (four eyes)",
            "four_eyes",
        )
    return None


def role_refusal(action: str, role: str) -> Msg:
    from loanflow.core.domain.labels import label

    return msg(
        f"{label('role', role)}无权执行“{label('subsidy_action', action)}”",
        f"A {label('role', role, 'en').lower()} may not {label('subsidy_action', action, 'en').lower()}",
        "role",
    )


def check_action(actor: User, case: SubsidyCase, action: str, policy: Policy, today: date) -> Step:
    """403 for role, level or four eyes, then 409 for state; return the step."""
    step = SUBSIDY.by_action.get(action)
    if step is None or actor.role not in step.roles:
        raise Forbidden(role_refusal(action, actor.role))
    refusal = level_refusal(actor, action, case.state) or four_eyes_refusal(actor, case, step, policy)
    if refusal is not None:
        raise Forbidden(refusal)
    try:
        SUBSIDY.check(action, case.state, actor.role)
    except NotAllowedInState as e:
        raise Conflict(
            msg(
                f"案件当前状态不允许此操作（{case.state}）",
                f"{action} is not allowed while the case is {case.state}",
            ),
            allowed_actions=allowed_actions(actor, case, policy, today),
            state=case.state,
        ) from e
    return step


def allowed_actions(actor: User, case: SubsidyCase, policy: Policy, today: date) -> list[str]:
    """What the caller may do to the case now (role, level, four eyes, the 公示 period)."""
    out = []
    for action in SUBSIDY.allowed_for(case.state, actor.role):
        step = SUBSIDY.step(action)
        if level_refusal(actor, action, case.state) or four_eyes_refusal(actor, case, step, policy):
            continue
        if action == "approve" and (case.publicity is None or today < case.publicity.approval_opens_on):
            continue
        if action == "object" and (case.publicity is None or today > case.publicity.end_on):
            continue
        out.append(action)
    return out


def stage_values(
    policy: Policy, cal: WorkCalendar, state: str, since: date, base: date | None = None
) -> dict:
    """The waiting stage's columns: start, working days, due date and whether it is provisional.

    The count starts at ``base`` (the end of the 公示 for ``publicized``), else at ``since``.
    """
    days = policy.deadline_days("subsidy", state) if state in WAITING_STAGES else None
    if days is None:
        return {
            "stage_started_on": since,
            "stage_days": None,
            "stage_due_on": None,
            "stage_due_provisional": False,
        }
    due = cal.add_working_days(base or since, days)
    return {
        "stage_started_on": since,
        "stage_days": days,
        "stage_due_on": due.date,
        "stage_due_provisional": due.provisional,
    }


def move(actor: User, case: SubsidyCase, action: str, values: dict, dest: str | None = None) -> str:
    """Fire the action through the state table with a guarded UPDATE; 409 if someone got there first.

    The 409 tells the state the case is in now and what ``actor`` may still do to it.
    """
    new_state = SUBSIDY.outcome(case.state, action, dest)
    result = db.session.execute(
        update(SubsidyCase)
        .where(
            SubsidyCase.id == case.id,
            SubsidyCase.state == case.state,
            SubsidyCase.version == case.version,
        )
        .values(state=new_state, version=SubsidyCase.version + 1, updated_at=clock.now(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(case)
        raise Conflict(
            msg("该案件已被他人处理，请刷新后重试", "The case was changed by someone else; reload and retry"),
            allowed_actions=allowed_actions(actor, case, current_policy(), clock.today()),
            state=case.state,
        )
    db.session.expire(case)  # the row changed under the ORM: read it again when next asked
    return new_state
