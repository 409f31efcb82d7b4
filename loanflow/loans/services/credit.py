"""Use cases of the loan from rating to disbursement: rate (评级), credit (授信), disburse (放款).

Credit and disbursement are checked against the county fund's leverage under
the county's fund lock (``loans.services.queries.lock_fund``), counting the credit
already granted and not yet disbursed: two credits racing at the edge of the
ceiling cannot both pass, and a disbursement is refused when the fund no
longer backs it (a payout since the credit, a lower leverage).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from loanflow.accounts.models import User
from loanflow.core import clock, uow
from loanflow.core.errors import Invalid, msg
from loanflow.documents import services as documents
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.domain.eligibility import LoanApplication
from loanflow.loans.domain.rating import ScoreError, below_floor_reason, rate_household
from loanflow.loans.domain.schedule import build_schedule, maturity_date
from loanflow.loans.models import Disbursement, Loan
from loanflow.loans.services import plan
from loanflow.loans.services.actions import (
    begin_action,
    check_event_date,
    rate_on,
    transition,
)
from loanflow.loans.services.apply import eligibility_reasons, household_facts, refusal
from loanflow.loans.services.queries import leverage_reason, lock_fund
from loanflow.policy.services import current_policy


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
        below = below_floor_reason(rating, policy)
        reason = below.zh
        changes.update(closed_on=clock.today(), closing_reason=below.zh)
    transition(
        actor,
        loan,
        "rate",
        dest="rated" if rating.creditworthy else "rejected",
        changes=changes,
        reason=reason,
    )
    uow.flush()
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
    rate = rate_on(policy, term_months, today)
    h = db.session.get(Household, loan.household_id)
    application = LoanApplication(
        loan.borrower_id_number, amount, term_months, loan.purpose, loan.consent, applied_on=loan.applied_on
    )
    lock_fund(loan.county_code)  # held to the commit: the credit below counts for the next check
    reasons = eligibility_reasons(
        application, household_facts(h, excluding=loan.id), policy, loan.county_code, excluding=loan.id
    )
    if reasons:
        raise refusal(reasons)  # the caller's unit of work rolls back, releasing the fund's lock
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
    uow.flush()
    documents.owe(actor, "loan", loan.id, "loan_agreement")
    return loan


def disburse_loan(actor: User, loan_id: int, on: date | None = None) -> Loan:
    """Pay the whole credited amount into the registered account (放款); fix the schedule (借据)."""
    loan = begin_action(actor, loan_id, "disburse")
    on = on or clock.today()
    check_event_date(loan, on)
    policy = current_policy()
    lock_fund(loan.county_code)
    fund = leverage_reason(loan.county_code, loan.credited_amount, policy, excluding=loan.id)
    if fund is not None:
        raise refusal([fund])  # the caller's unit of work rolls back, releasing the fund's lock
    h = db.session.get(Household, loan.household_id)
    lines = build_schedule(
        loan.credited_amount, loan.rate, on, loan.credited_term_months, loan.method, loan.subsidy_ratio
    )
    account = {"account_type": h.account_type, "bank_account": h.bank_account, "bank_name": h.bank_name}
    changes = dict(
        disbursed_on=on,
        disbursed_by_id=actor.id,
        maturity_on=maturity_date(on, loan.credited_term_months),
        schedule_policy_version=policy.version,
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
    plan.record_revision(actor, loan, 0, "disbursement", on, lines)
    uow.flush()
    documents.owe(actor, "loan", loan.id, "loan_receipt")
    return loan
