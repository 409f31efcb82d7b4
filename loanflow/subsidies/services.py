"""Use cases of the industry subsidy (产业奖补, 以奖代补): apply, verify, approve, pay, reject, withdraw.

Publicity (公示) and objections are in ``subsidies.publicity``; the cap ledger in
``subsidies.cap``; who may act in ``subsidies.rules``, declared with the state
table in ``subsidies.workflow``. Each use case: load (404) → role, level, four
eyes (403) → state and period (409) → input and cap (422) → the engine's
guarded UPDATE, audit event on the county's chain and stage deadline → flush (the
caller's unit of work commits).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import extract, func, select, update
from sqlalchemy.orm import selectinload

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.domain.money import MoneyError, parse_quantity
from loanflow.core.domain.policy import Policy
from loanflow.core.errors import Conflict, Forbidden, Invalid, msg
from loanflow.core.scope import in_region, village_filter
from loanflow.core.sorting import sort_order
from loanflow.documents import services as documents
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.households.services import get_household
from loanflow.policy.services import current_policy
from loanflow.subsidies import cap as subsidy_cap
from loanflow.subsidies.domain.amounts import (
    cap_period,
    cap_used_up,
    compute_amount,
    format_quantity,
    whole_units_refusal,
)
from loanflow.subsidies.models import PublicityEntry, SubsidyCase
from loanflow.subsidies.rules import LOST_RACE, load_case
from loanflow.subsidies.workflow import SUBSIDIES, allowed_actions, check_action

ENTITY = "subsidy"


def record(actor: User, case: SubsidyCase, action: str, before: dict, after: dict, reason: str = "") -> None:
    audit.record(
        actor,
        f"subsidy.{action}",
        ENTITY,
        case.id,
        chain=case.county_code,
        before=before,
        after=after,
        reason=reason,
    )


def _quantity(field: str, value: Any) -> Decimal:
    try:
        return parse_quantity(value)
    except MoneyError as e:
        raise Invalid({field: [e.reason]}) from e


def _period(policy: Policy, on: date) -> str:
    return cap_period(policy.subsidy["cap_period"], policy.subsidy.get("campaign"), on)


def apply_for_subsidy(actor: User, data: dict[str, Any]) -> SubsidyCase:
    """A clerk applies on the household's behalf, with its consent (申报)."""
    household = get_household(actor, data["household_id"])
    if actor.role != "clerk" or not in_region(actor, household.village_code):
        raise Forbidden(msg("只有本辖区经办员可以申报奖补", "Only a clerk of the region may apply"))
    policy = current_policy()
    errors: dict[str, list] = {}
    if data["industry"] not in policy.industries():
        errors["industry"] = [
            msg(
                f"产业 {data['industry']} 不在政策目录内",
                f"Industry {data['industry']} is not in the policy's list",
            )
        ]
    try:
        declared = parse_quantity(data["quantity"])
    except MoneyError as e:
        errors["quantity"] = [e.reason]
    else:
        industry = policy.industries().get(data["industry"])
        fraction = whole_units_refusal(industry, declared) if industry is not None else None
        if fraction is not None:
            errors["quantity"] = [fraction]
    if data.get("consent") is not True:
        errors["consent"] = [msg("须记录农户同意", "The household's consent must be recorded")]
    if errors:
        raise Invalid(errors)
    today, now = clock.today(), clock.now()
    case = SubsidyCase(
        household_id=household.id,
        village_code=household.village_code,
        state="applied",
        industry=data["industry"],
        declared_quantity=declared,
        consent=True,
        applied_on=today,
        applied_by_id=actor.id,
        policy_version=policy.version,
        created_at=now,
        updated_at=now,
        **SUBSIDIES.stage("applied", today, policy=policy),
    )
    db.session.add(case)
    db.session.flush()
    after = {
        "state": "applied",
        "household_id": household.id,
        "industry": case.industry,
        "declared_quantity": format_quantity(declared),
        "policy_version": policy.version,
        "stage_due_on": case.stage_due_on,
    }
    record(actor, case, "apply", {}, after)
    uow.flush()
    return case


def get_case(actor: User, case_id: int) -> SubsidyCase:
    return load_case(actor, case_id)


def precheck(actor: User, case_id: int, action: str) -> None:
    """The case's refusals (404, 403, 409) before the request body is read (422 comes last)."""
    SUBSIDIES.begin(actor, case_id, action)


CASE_SORTS = {
    "number": SubsidyCase.id,
    "state": SubsidyCase.state,
    "industry": SubsidyCase.industry,
    "amount": SubsidyCase.amount,
    "applied": SubsidyCase.applied_on,
    "due": SubsidyCase.stage_due_on,
}


def list_cases(
    actor: User,
    *,
    village: str | None = None,
    state: str | None = None,
    year: int | None = None,
    household_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
    sort: str | None = None,
) -> tuple[list[SubsidyCase], int]:
    """Cases the caller may see, newest first (or by ``sort``, a key of ``CASE_SORTS``, ``-`` for
    descending); ``year`` is the year of application."""
    stmt = select(SubsidyCase).where(village_filter(actor, SubsidyCase.village_code))
    if village:
        stmt = stmt.where(SubsidyCase.village_code.like(village + "%"))
    if state:
        stmt = stmt.where(SubsidyCase.state == state)
    if year:
        stmt = stmt.where(extract("year", SubsidyCase.applied_on) == year)
    if household_id:
        stmt = stmt.where(SubsidyCase.household_id == household_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    loads = (
        selectinload(SubsidyCase.household).selectinload(Household.members),
        selectinload(SubsidyCase.village),
    )
    rows = db.session.scalars(
        stmt.options(*loads)
        .order_by(*sort_order(CASE_SORTS, sort), SubsidyCase.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def verify_case(actor: User, case_id: int, data: dict[str, Any]) -> SubsidyCase:
    """Check on site (实地核验): record the verified quantity and reserve the amount against the cap."""
    case = load_case(actor, case_id)
    policy, today = current_policy(), clock.today()
    check_action(actor, case, "verify", policy, today)
    verified = _quantity("verified_quantity", data["verified_quantity"])
    industry = policy.industries().get(case.industry)
    if industry is None:
        raise Invalid(
            {"industry": [msg("该产业已不在现行政策目录内", "The industry is no longer in the policy")]}
        )
    fraction = whole_units_refusal(industry, verified)
    if fraction is not None:
        raise Invalid({"verified_quantity": [fraction]})
    period = _period(policy, today)
    held = subsidy_cap.lock(case.household_id, period)
    amount = compute_amount(
        unit_rate=industry.rate,
        declared=case.declared_quantity,
        verified=verified,
        cap=policy.household_cap,
        reserved_before=held,
        cap_period=period,
    )
    if amount.amount <= 0:
        raise Invalid({"verified_quantity": [cap_used_up(period, policy.household_cap, held)]})
    computation = {**amount.as_dict(), "policy_version": policy.version}
    if not subsidy_cap.reserve(case.household_id, period, amount.amount, policy.household_cap):
        raise Conflict(
            msg("奖补上限已变化，请重试", "The household's cap changed; retry"),
            allowed_actions=allowed_actions(actor, case, policy, today),
            state=case.state,
        )
    SUBSIDIES.move(
        actor,
        case,
        "verify",
        changes={
            "verified_quantity": verified,
            "verify_note": data.get("note") or "",
            "verified_on": today,
            "verified_by_id": actor.id,
            "unit_rate": industry.rate,
            "amount": amount.amount,
            "computation": computation,
            "amount_policy_version": policy.version,
            "cap_period": period,
            "reserved": True,
        },
        reason=data.get("note", ""),
        audit_extra=computation,
        policy=policy,
    )
    uow.flush()
    return case


def approve_case(actor: User, case_id: int) -> SubsidyCase:
    """The county approves (审批) once the 公示 is over; not the one who verified.

    The amount is computed here again from the uncapped amount against the cap of
    the approval's year (``subsidies.cap.amount_at_approval``), so a case verified in
    December and approved in January is capped by January's year only.
    """
    case = load_case(actor, case_id)
    policy, today = current_policy(), clock.today()
    check_action(actor, case, "approve", policy, today)  # the 公示 is over: a guard of ``SUBSIDIES``
    claim(actor, case, policy, today)
    period = _period(policy, today)
    amount = subsidy_cap.amount_at_approval(case, period, policy.household_cap)
    computation = {**amount.as_dict(), "policy_version": policy.version}
    SUBSIDIES.move(
        actor,
        case,
        "approve",
        changes={
            "approved_on": today,
            "approved_by_id": actor.id,
            "cap_period": period,
            "amount": amount.amount,
            "computation": computation,
            "amount_policy_version": policy.version,
            "reserved": True,
        },
        audit_before={"amount": case.amount, "cap_period": case.cap_period},
        audit_extra=computation,
        policy=policy,
    )
    uow.flush()
    documents.owe(actor, "subsidy", case.id, "subsidy_notice")
    return case


def claim(actor: User, case: SubsidyCase, policy: Policy, today: date) -> None:
    """Take the case's row lock before its cap reservation is touched; 409 if someone moved it first.

    A no-op guarded UPDATE (same id, state and version): on PostgreSQL it waits for a
    concurrent step on the same case and then finds the version changed, so a
    withdrawal racing an approval (or two approvals) never releases a reservation
    the winner already moved to another year.
    """
    cases = SubsidyCase.__table__
    result = db.session.execute(
        update(cases)
        .where(cases.c.id == case.id, cases.c.state == case.state, cases.c.version == case.version)
        .values(version=cases.c.version)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(case)
        raise Conflict(
            LOST_RACE, allowed_actions=allowed_actions(actor, case, policy, today), state=case.state
        )


def disburse_case(actor: User, case_id: int, data: dict[str, Any]) -> SubsidyCase:
    """Record the payment (发放) into the household's registered account, with the bank's reference."""
    case = load_case(actor, case_id)
    policy, today = current_policy(), clock.today()
    check_action(actor, case, "disburse", policy, today)
    paid_on: date = data["date"]
    if paid_on > today:
        raise Invalid({"date": [msg("发放日期不能晚于今天", "The payment date may not be later than today")]})
    if case.approved_on and paid_on < case.approved_on:
        raise Invalid(
            {
                "date": [
                    msg(
                        f"发放日期不能早于审批日期 {case.approved_on.isoformat()}",
                        f"The payment date may not be before the approval on {case.approved_on.isoformat()}",
                    )
                ]
            }
        )
    household: Household = case.household
    values = {
        "disbursed_on": paid_on,
        "disbursed_by_id": actor.id,
        "payment_reference": data["payment_reference"],
        "paid_account": household.bank_account,
        "closed_on": paid_on,
        **SUBSIDIES.stage(None, paid_on),  # paid: the case waits on no one since the payment
    }
    shown = {"amount": case.amount, "date": paid_on, "payment_reference": values["payment_reference"]}
    SUBSIDIES.move(actor, case, "disburse", changes=values, audit_extra=shown, policy=policy)
    uow.flush()
    return case


def release_reservation(case: SubsidyCase, because: str) -> None:
    """Give the case's amount back to the household's cap and take it off a running 公示."""
    if case.reserved and case.amount is not None:
        subsidy_cap.release(case.household_id, case.cap_period, case.amount)
    if case.state == "publicized" and case.publicity_id is not None:
        entry = db.session.scalar(
            select(PublicityEntry).where(
                PublicityEntry.publicity_id == case.publicity_id,
                PublicityEntry.case_id == case.id,
                PublicityEntry.removed_on.is_(None),
            )
        )
        if entry is not None:
            entry.removed_on = clock.today()
            entry.removed_because = because


def close_case(actor: User, case_id: int, action: str, reason: str) -> SubsidyCase:
    """Reject (拒绝, an approver, before payment) or withdraw (撤回, a clerk, before approval)."""
    case = load_case(actor, case_id)
    policy, today = current_policy(), clock.today()
    check_action(actor, case, action, policy, today)
    claim(actor, case, policy, today)
    before = {"amount": case.amount, "reserved": case.reserved}
    release_reservation(case, because=action)
    SUBSIDIES.move(
        actor,
        case,
        action,
        changes={"reserved": False, "closed_on": today, "close_reason": reason},
        reason=reason,
        audit_before=before,
        audit_extra={"reserved": False},
        policy=policy,
    )
    uow.flush()
    return case
