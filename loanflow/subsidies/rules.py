"""Who may act on a subsidy case and when: the refusals and guards ``subsidies.workflow`` declares
beside the SUBSIDY state table.

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

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core import uow
from loanflow.core.domain.labels import label
from loanflow.core.domain.workflows import Step
from loanflow.core.errors import Msg, NotFound, msg
from loanflow.core.scope import sees_village
from loanflow.core.workflow import Moment
from loanflow.subsidies.models import SubsidyCase

COUNTY_STEPS = frozenset({"approve", "disburse"})
# The stage whose deadline runs while a case waits in a state (DOMAIN.md "Deadlines").
WAITING_STAGES = {s: s for s in ("applied", "verified", "publicized", "approved")}


def can_view_subsidy(user: User, case: SubsidyCase) -> bool:
    return sees_village(user, case.village_code)


def load_case(actor: User, case_id: int) -> SubsidyCase:
    """A case the caller may see; 404 otherwise (outside the region looks like absent)."""
    case = uow.get(SubsidyCase, case_id)
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


def level(user: User, case: SubsidyCase, step: Step, now: Moment) -> Msg | None:
    return level_refusal(user, step.action, case.state)


def four_eyes(user: User, case: SubsidyCase, step: Step, now: Moment) -> Msg | None:
    """Who verified a case may not approve it, while the policy's four-eyes switch is on."""
    if step.not_by_actor_of == "verify" and case.verified_by_id == user.id and now.four_eyes:
        return msg(
            "核验人不能审批同一案件（四眼原则）",
            "Who verified a case may not approve it (four eyes)",
            "four_eyes",
        )
    return None


def role_refusal(actor: User, action: str, step: Step | None) -> Msg:
    role = actor.role
    return msg(
        f"{label('role', role)}无权执行“{label('subsidy_action', action)}”",
        f"A {label('role', role, 'en').lower()} may not {label('subsidy_action', action, 'en').lower()}",
        "role",
    )


def state_refusal(case: SubsidyCase, action: str) -> Msg:
    return msg(
        f"案件当前状态不允许此操作（{case.state}）",
        f"{action} is not allowed while the case is {case.state}",
    )


LOST_RACE = msg("该案件已被他人处理，请刷新后重试", "The case was changed by someone else; reload and retry")


# --- the case guards (409): the 公示 period ---------------------------------------------------------


def publicity_over(actor: User, case: SubsidyCase, now: Moment) -> Msg | None:
    """Approval opens on the first working day after the 公示, once every day of it is on a published year.

    While a day of the period falls in a year the calendar does not know yet, its end
    is a guess (the State Council may add days off): approval waits for an admin to
    enter that year.
    """
    publicity = case.publicity
    if publicity is None:
        return msg("该案件没有公示", "The case has no publicity list", "publicity_missing")
    if publicity.provisional:
        unknown = work_calendar().unknown_years(publicity.start_on, publicity.end_on)
        if unknown:
            years = "、".join(str(y) for y in unknown)
            return msg(
                f"公示期含尚未发布节假日安排的 {years} 年日期，须由系统管理员录入 {years} 年节假日后方可审批",
                f"The publicity period runs into {', '.join(map(str, unknown))}, whose holidays are not "
                f"published yet; an admin must enter the calendar of {', '.join(map(str, unknown))} "
                "before approval",
                "calendar_year_missing",
            )
    opens = publicity.approval_opens_on
    if now.today < opens:
        return msg(
            f"公示期未满，{opens.isoformat()} 起方可审批",
            f"The publicity period is not over; approval opens on {opens.isoformat()}",
            "publicity_running",
        )
    return None


def publicity_running(actor: User, case: SubsidyCase, now: Moment) -> Msg | None:
    """An objection is recorded while the 公示 runs, up to its last day."""
    publicity = case.publicity
    if publicity is None:
        return msg("该案件没有公示", "The case has no publicity list", "publicity_missing")
    if now.today > publicity.end_on:
        end = publicity.end_on.isoformat()
        return msg(
            f"公示期已于 {end} 结束，不能再登记异议",
            f"The publicity period ended on {end}; objections are closed",
            "publicity_over",
        )
    return None
