"""Use cases of the 5321 loan: the common halves of every action, apply, reject, withdraw.

Every action runs the same way: load (404 outside the caller's scope) → role
and four eyes (403) → state and case guards (409, listing what the caller may
do) → input and eligibility (422, every reason) → the guarded UPDATE on (id,
state, version) → the rows it creates → the audit event → one commit.
``begin_action`` and ``transition`` are the two halves every other loan service
reuses (``loan_credit`` for rate, credit and disbursement, ``loan_money``,
``loan_extensions``, ``loan_fund``, the sweep); ``check_event_date``,
``store_schedule`` and ``rate_on`` are shared by them too. ``ACTION_GUARDS``/
``register_guard`` take the case guards. The credit use cases are re-exported
here, so ``loans.credit_loan`` keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from loanflow.domain.policy import Policy, PolicyError
from loanflow.domain.reasons import Reason
from loanflow.domain.workflows import LOAN, NotAllowedInState, RoleMayNot
from loanflow.extensions import db
from loanflow.models import BranchTownship, Household, Loan, LoanScheduleLine, Repayment, User
from loanflow.services import audit
from loanflow.services.errors import Conflict, Forbidden, Invalid, msg
from loanflow.services.households import get_household
from loanflow.services.loan_queries import (
    ACTION_GUARDS,
    LEVERAGE_CODE,
    WAITING_STAGES,
    allowed_actions,
    four_eyes_reason,
    fund_facts,
    get_loan,
    guard_reason,
    leverage_reason,
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


def eligibility_reasons(
    application: LoanApplication,
    household: HouseholdFacts,
    policy: Policy,
    county_code: str,
    excluding: int | None = None,
) -> list[Reason]:
    """Every failed rule; the fund's, with the figures of credit not yet disbursed, comes from the county."""
    facts = fund_facts(county_code, excluding=excluding)
    reasons = check_loan_eligibility(application, household, policy, clock.today(), fund=facts)
    reasons = [r for r in reasons if r.code != LEVERAGE_CODE]
    fund = leverage_reason(county_code, application.amount, policy, excluding=excluding)
    return reasons + ([fund] if fund is not None else [])


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
    reasons = eligibility_reasons(application, _household_facts(h), policy, h.county_code)
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


CREDIT_USE_CASES = ("rate_loan", "credit_loan", "disburse_loan")


def __getattr__(name: str) -> Any:
    """``loans.credit_loan`` and the other credit use cases, which live in ``loan_credit``."""
    if name in CREDIT_USE_CASES:
        from loanflow.services import loan_credit

        return getattr(loan_credit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
