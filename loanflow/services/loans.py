"""Use cases of the 5321 loan up to disbursement: apply, rate, credit, disburse, reject, withdraw.

Every action runs the same way: load (404 outside the caller's scope) → role
and four eyes (403) → state and case guards (409, listing what the caller may
do) → input and eligibility (422, every reason) → the guarded UPDATE on (id,
state, version) → the rows it creates → the audit event → one commit.
``begin_action`` and ``transition`` are the two halves the money actions
(``services/loan_money.py``) reuse; ``ACTION_GUARDS``/``register_guard`` take
their case guards.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from loanflow import clock
from loanflow.domain.eligibility import HouseholdFacts, LoanApplication, MemberFacts, check_loan_eligibility
from loanflow.domain.idcard import IdNumberError, parse_id_number
from loanflow.domain.labels import label
from loanflow.domain.rating import ScoreError, below_floor_reason, rate_household
from loanflow.domain.reasons import Reason
from loanflow.domain.schedule import build_schedule, maturity_date
from loanflow.domain.workflows import LOAN, NotAllowedInState, RoleMayNot
from loanflow.extensions import db
from loanflow.models import BranchTownship, Disbursement, Household, Loan, LoanScheduleLine, User
from loanflow.services import audit, documents
from loanflow.services.errors import Conflict, Forbidden, Invalid, msg
from loanflow.services.households import get_household
from loanflow.services.loan_queries import (
    ACTION_GUARDS,
    WAITING_STAGES,
    allowed_actions,
    four_eyes_reason,
    fund_facts,
    get_loan,
    guard_reason,
    list_loans,
    load_loan,
    register_guard,
)
from loanflow.services.permissions import in_region
from loanflow.services.policy import current_policy

__all__ = [
    "ACTION_GUARDS",
    "allowed_actions",
    "apply_for_loan",
    "begin_action",
    "credit_loan",
    "disburse_loan",
    "get_loan",
    "list_loans",
    "rate_loan",
    "register_guard",
    "reject_loan",
    "stage_deadline",
    "transition",
    "withdraw_loan",
]

ROLE_REFUSALS = {
    "clerk": ("只有经办员可以办理此操作", "Only a clerk may do this"),
    "bank_officer": ("只有信贷员可以办理此操作", "Only a bank loan officer may do this"),
}


def _conflict(actor: User, loan: Loan, action: str, message=None) -> Conflict:
    state_msg = msg(
        f"贷款当前状态为“{label('loan_state', loan.state)}”，不能{label('loan_action', action)}",
        f"The loan is {loan.state}; '{action}' is not allowed in that state",
        "state",
    )
    return Conflict(message or state_msg, allowed_actions=allowed_actions(actor, loan), state=loan.state)


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
    from loanflow.services.calendar import work_calendar

    days = (policy or current_policy()).deadline_days("loan", stage)
    if days is None:
        return {"stage_started_on": start, "stage_due_on": None, "stage_due_provisional": False}
    due = work_calendar().add_working_days(start, days)
    return {"stage_started_on": start, "stage_due_on": due.date, "stage_due_provisional": due.provisional}


NO_STAGE = {"stage_started_on": None, "stage_due_on": None, "stage_due_provisional": False}


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


# --- apply (申请) -------------------------------------------------------------------------------


def _household_facts(h: Household, excluding: int | None = None) -> HouseholdFacts:
    states = db.session.scalars(
        select(Loan.state).where(Loan.household_id == h.id, Loan.id != (excluding or 0))
    )
    return HouseholdFacts(
        status=h.status,
        monitoring=h.monitoring,
        members=[MemberFacts(m.id_number, m.name) for m in h.members],
        other_loan_states=list(states),
    )


REASON_FIELDS = {
    "household": "household_id",
    "borrower": "borrower_id_number",
    "id_number": "borrower_id_number",
    "fund": "amount",
    "loan.purpose": "purpose",
    "loan.consent": "consent",
    "loan.term": "term_months",
    "loan.amount": "amount",
}


def _field_of(reason: Reason) -> str:
    head = reason.code.split(".")[0]
    second = ".".join(reason.code.split("_")[0].split(".")[:2])
    return REASON_FIELDS.get(head) or REASON_FIELDS.get(second) or "_body"


def refusal(reasons: list[Reason]) -> Invalid:
    """422 naming every failed eligibility rule under its field, all of them in the detail."""
    errors: dict[str, list[Reason]] = {}
    for r in reasons:
        errors.setdefault(_field_of(r), []).append(r)
    zh, en = "；".join(r.zh for r in reasons), "; ".join(r.en for r in reasons)
    return Invalid(errors, msg(f"不符合贷款条件：{zh}", f"Not eligible: {en}", "ineligible"))


def _branch_of(village_code: str) -> int:
    branch_id = db.session.scalar(
        select(BranchTownship.branch_id).where(BranchTownship.township_code == village_code[:9])
    )
    if branch_id is None:
        raise Invalid(
            {
                "household_id": [
                    msg(
                        "该户所在乡镇没有合作银行网点，暂不能申请",
                        "No partner bank branch serves the household's township",
                    )
                ]
            }
        )
    return branch_id


def apply_for_loan(actor: User, data: dict[str, Any]) -> Loan:
    """Open a loan on a household's behalf, with its consent (贷款申请)."""
    h = get_household(actor, data["household_id"])
    if actor.role != "clerk" or not in_region(actor, h.village_code):
        raise Forbidden(
            msg("只有该户所在辖区的经办员可以申请贷款", "Only a clerk of the household's region may apply")
        )
    policy, today = current_policy(), clock.today()
    application = LoanApplication(
        borrower_id_number=data["borrower_id_number"],
        amount=data["amount"],
        term_months=data["term_months"],
        purpose=data["purpose"],
        consent=data.get("consent") is True,
        applied_on=today,
    )
    reasons = check_loan_eligibility(
        application, _household_facts(h), policy, today, fund=fund_facts(h.county_code)
    )
    if reasons:
        raise refusal(reasons)
    number = parse_id_number(data["borrower_id_number"], today).value
    borrower = next(m for m in h.members if (m.id_number or "").upper() == number)
    now = clock.now()
    values = dict(
        case_number=f"DK-{today.year}-new-{h.id}",
        household_id=h.id,
        borrower_member_id=borrower.id,
        borrower_id_number=number,
        borrower_name=borrower.name,
        village_code=h.village_code,
        branch_id=_branch_of(h.village_code),
        state="applied",
        version=1,
        requested_amount=application.amount,
        requested_term_months=application.term_months,
        purpose=application.purpose,
        purpose_detail=data.get("purpose_detail") or "",
        consent=True,
        applied_on=today,
        applied_by_id=actor.id,
        application_policy_version=policy.version,
        extended_months=0,
        extension_count=0,
        created_at=now,
        updated_at=now,
        **stage_deadline("applied", today, policy),
    )
    table = Loan.__table__
    try:
        loan_id = db.session.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()
    except IntegrityError as e:
        db.session.rollback()
        raise refusal(
            [
                Reason(
                    "household.open_loan",
                    "该户已有未结清的扶贫小额信贷",
                    "The household already has an open loan",
                )
            ]
        ) from e
    case_number = f"DK-{today.year}-{loan_id:06d}"
    db.session.execute(update(table).where(table.c.id == loan_id).values(case_number=case_number))
    after = {**values, "case_number": case_number}
    for key in ("version", "created_at", "updated_at", "stage_started_on"):
        after.pop(key)
    audit.record(actor, "loan.apply", "loan", loan_id, chain=h.county_code, after=after)
    db.session.commit()
    return db.session.get(Loan, loan_id)


# --- rate, credit, disburse ---------------------------------------------------------------------


def rate_loan(actor: User, loan_id: int, scores: dict[str, Any]) -> Loan:
    """Rate the household on the scorecard (评级); below the floor the loan is rejected with the score."""
    loan = begin_action(actor, loan_id, "rate")
    policy = current_policy()
    try:
        rating = rate_household(scores, policy)
    except ScoreError as e:
        raise Invalid(dict(e.errors)) from e
    changes: dict[str, Any] = dict(
        rating_score=rating.score,
        rating_grade=rating.grade,
        rating_limit=rating.limit if rating.creditworthy else None,
        rating_scores=dict(scores),
        rated_on=clock.today(),
        rated_by_id=actor.id,
        rating_policy_version=policy.version,
    )
    reason = ""
    if not rating.creditworthy:
        refusal = below_floor_reason(rating, policy)
        reason = refusal.zh
        changes.update(closed_on=clock.today(), closing_reason=refusal.zh)
    transition(
        actor,
        loan,
        "rate",
        dest="rated" if rating.creditworthy else "rejected",
        changes=changes,
        reason=reason,
    )
    db.session.commit()
    return loan


def _credit_errors(loan: Loan, amount: Decimal, term: int, policy) -> dict[str, list]:
    errors: dict[str, list] = {}
    ceiling = min(loan.requested_amount, loan.rating_limit or Decimal(0), policy.max_amount)
    if amount > ceiling:
        errors["amount"] = [
            msg(
                f"授信金额 {amount} 元超过上限 {ceiling} 元（申请 {loan.requested_amount} 元、"
                f"评级额度 {loan.rating_limit} 元、产品上限 {policy.max_amount} 元取最小）",
                f"The amount {amount} is above the limit of {ceiling} (the least of the request "
                f"{loan.requested_amount}, the grade limit {loan.rating_limit} and the product maximum "
                f"{policy.max_amount})",
                "credit.amount_above_limit",
            )
        ]
    low = int(policy.loan["min_term_months"])
    if not low <= term <= loan.requested_term_months:
        errors["term_months"] = [
            msg(
                f"授信期限 {term} 个月须在 {low} 至申请期限 {loan.requested_term_months} 个月之间",
                f"The term of {term} months must be from {low} to the requested {loan.requested_term_months}",
                "credit.term",
            )
        ]
    return errors


def credit_loan(actor: User, loan_id: int, amount: Decimal, term_months: int) -> Loan:
    """Grant the credit (授信): amount and term within the limits, the rate from the policy's table."""
    loan = begin_action(actor, loan_id, "credit")
    policy, today = current_policy(), clock.today()
    errors = _credit_errors(loan, amount, term_months, policy)
    if errors:
        raise Invalid(errors)
    h = db.session.get(Household, loan.household_id)
    application = LoanApplication(
        loan.borrower_id_number, amount, term_months, loan.purpose, loan.consent, applied_on=loan.applied_on
    )
    reasons = check_loan_eligibility(
        application, _household_facts(h, excluding=loan.id), policy, today, fund=fund_facts(loan.county_code)
    )
    if reasons:
        raise refusal(reasons)
    rate = policy.rate_for(term_months, today)
    changes = dict(
        credited_amount=amount,
        credited_term_months=term_months,
        rate=rate,
        method=policy.method,
        subsidy_ratio=policy.subsidy_ratio,
        penalty_rate=policy.penalty_rate(rate),
        compound_rate=policy.compound_rate(rate),
        credited_on=today,
        credited_by_id=actor.id,
        credit_policy_version=policy.version,
    )
    transition(actor, loan, "credit", changes=changes)
    db.session.commit()
    documents.issue_after(actor, "loan", loan.id, "loan_agreement")
    return loan


def _check_event_date(loan: Loan, on: date, field: str = "date") -> None:
    today = clock.today()
    previous = max(d for d in (loan.applied_on, loan.rated_on, loan.credited_on) if d is not None)
    if on > today:
        raise Invalid({field: [msg(f"日期 {on} 晚于今天 {today}", f"The date {on} is after today {today}")]})
    if on < previous:
        raise Invalid(
            {
                field: [
                    msg(
                        f"日期 {on} 早于上一环节 {previous}",
                        f"The date {on} is before the previous event {previous}",
                    )
                ]
            }
        )


def disburse_loan(actor: User, loan_id: int, on: date | None = None) -> Loan:
    """Pay the whole credited amount into the registered account (放款); fix the schedule (借据)."""
    loan = begin_action(actor, loan_id, "disburse")
    on = on or clock.today()
    _check_event_date(loan, on)
    h = db.session.get(Household, loan.household_id)
    lines = build_schedule(
        loan.credited_amount, loan.rate, on, loan.credited_term_months, loan.method, loan.subsidy_ratio
    )
    account = {"account_type": h.account_type, "bank_account": h.bank_account, "bank_name": h.bank_name}
    changes = dict(
        disbursed_on=on,
        disbursed_by_id=actor.id,
        maturity_on=maturity_date(on, loan.credited_term_months),
        schedule_policy_version=current_policy().version,
        **account,
    )
    transition(actor, loan, "disburse", changes=changes)
    db.session.execute(
        insert(Disbursement).values(
            loan_id=loan.id,
            disbursed_on=on,
            amount=loan.credited_amount,
            disbursed_by_id=actor.id,
            created_at=clock.now(),
            **account,
        )
    )
    db.session.execute(
        insert(LoanScheduleLine),
        [
            dict(
                loan_id=loan.id,
                revision=0,
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
    db.session.commit()
    documents.issue_after(actor, "loan", loan.id, "loan_receipt")
    return loan


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
    db.session.commit()
    return loan


def reject_loan(actor: User, loan_id: int, reason: str) -> Loan:
    """The bank refuses the loan before disbursement (拒绝)."""
    return _close(actor, loan_id, "reject", reason)


def withdraw_loan(actor: User, loan_id: int, reason: str) -> Loan:
    """The household withdraws its application, through the clerk (撤回)."""
    return _close(actor, loan_id, "withdraw", reason)


def parse_borrower(value: str) -> str:
    """The borrower's ID number in its stored form (upper-case X), or a 422 naming the field."""
    try:
        return parse_id_number(value, clock.today()).value
    except IdNumberError as e:
        raise Invalid({"borrower_id_number": [e.reason]}) from e
