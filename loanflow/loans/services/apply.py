"""Applying for the 5321 loan (贷款申请) and the eligibility rules every later decision checks again.

``eligibility_reasons`` is DOMAIN.md's list at application and at credit; its
fund rule counts the credit granted and not yet disbursed, with every figure
in the reason (``loans.services.queries.leverage_reason``). ``refusal`` turns reasons into
a 422 naming each field.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.domain.idcard import parse_id_number
from loanflow.core.domain.policy import Policy
from loanflow.core.domain.reasons import Reason
from loanflow.core.errors import Forbidden, Invalid, msg
from loanflow.core.regions import BranchTownship
from loanflow.core.scope import in_region
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.households.services import get_household
from loanflow.loans.domain.eligibility import (
    HouseholdFacts,
    LoanApplication,
    MemberFacts,
    check_loan_eligibility,
)
from loanflow.loans.models import Loan
from loanflow.loans.services.queries import LEVERAGE_CODE, fund_facts, leverage_reason
from loanflow.loans.workflow import LOANS
from loanflow.policy.services import current_policy


def household_facts(h: Household, excluding: int | None = None) -> HouseholdFacts:
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
    reasons = eligibility_reasons(application, household_facts(h), policy, h.county_code)
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
        plan_revision=0,
        created_at=now,
        updated_at=now,
        **LOANS.stage("applied", today, policy=policy),
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
    uow.flush()
    return db.session.get(Loan, loan_id)
