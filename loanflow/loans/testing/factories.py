"""Loans for the tests, made through the services: apply, rate, credit, disburse; the fund filled.

The demo county (``loanflow.loans.demo``) is built with these steps too; the tests depend on
no demo code.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.clock import business_date
from loanflow.core.domain.idcard import age_on
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.fund.services import deposit as fund_deposit
from loanflow.loans.models import FundEntry, Loan
from loanflow.loans.services import actions as service
from loanflow.loans.services import apply as loan_apply
from loanflow.loans.services import credit as loan_credit
from loanflow.policy.services import current_policy

D = Decimal
on_day = business_date  # the tests' name for it

PATH = ("applied", "rated", "credited", "disbursed")
FULL_MARKS = {
    "household_size": 10,
    "workers": 15,
    "assets": 15,
    "net_income": 20,
    "integrity": 25,
    "repayment_record": 15,
}


def deposit(
    county_code: str, amount: Decimal | str, on: date | None = None, actor: User | None = None
) -> None:
    """A deposit into the county's risk-compensation fund, audited (written directly, no role check)."""
    on = on or clock.today()
    entry = FundEntry(
        county_code=county_code,
        kind="deposit",
        amount=Decimal(amount),
        entry_date=on,
        recorded_by_id=getattr(actor, "id", None) or user_named("admin").id,
        recorded_at=clock.now(),
        note="demo",
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        actor,
        "fund.deposit",
        "fund_entry",
        entry.id,
        chain=county_code,
        after={"amount": entry.amount},
        reason="demo",
    )
    uow.commit()


def fill_fund(users: dict[str, User], amount: str = "100000.00", on: date = date(2026, 1, 5)) -> None:
    """The admin deposits ``amount`` into the county's fund through the fund service."""
    with on_day(on):
        fund_deposit(users["admin"], "341503", D(amount), on, "财政拨款 2026-001")


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def fresh_households(village_code: str) -> list[Household]:
    """Households of the village without any loan whose head may borrow (age within the policy)."""
    policy, today = current_policy(), clock.today()
    low, high = int(policy.loan["min_age"]), int(policy.loan["max_age"])
    with_loans = select(Loan.household_id)
    rows = db.session.scalars(
        select(Household)
        .where(Household.village_code == village_code, Household.id.not_in(with_loans))
        .order_by(Household.id)
    )
    return [
        h for h in rows if h.head and h.head.id_number and low <= age_on(h.head.birth_date, today) <= high
    ]


def free_households(village: str = "341503001001") -> list[Household]:
    """Households of the village without any loan (the demo may have seeded some)."""
    taken = select(Loan.household_id)
    rows = db.session.scalars(
        select(Household)
        .where(Household.village_code == village, Household.id.not_in(taken))
        .order_by(Household.id)
    )
    return list(rows)


def scores_totalling(total: int) -> dict[str, int]:
    """Scorecard points adding up to ``total``, each item within its maximum."""
    card = current_policy().loan["scorecard"]
    left, scores = total, {}
    for item in card:
        scores[item["code"]] = min(int(item["max"]), left)
        left -= scores[item["code"]]
    if left:
        raise ValueError(f"the scorecard does not reach {total}")
    return scores


def open_loan(
    clerk: User,
    household: Household,
    amount: str = "20000.00",
    term_months: int = 12,
    purpose: str = "livestock",
) -> Loan:
    """Apply on the household's behalf for its head (committed through the unit of work)."""
    loan = loan_apply.apply_for_loan(
        clerk,
        {
            "household_id": household.id,
            "borrower_id_number": household.head.id_number,
            "amount": Decimal(amount),
            "term_months": term_months,
            "purpose": purpose,
            "purpose_detail": "demo",
            "consent": True,
        },
    )
    uow.commit()
    return loan


def drive(
    loan: Loan,
    target: str,
    *,
    officer: User,
    disburser: User | None = None,
    score: int = 85,
    amount: Decimal | None = None,
    on: date | None = None,
) -> Loan:
    """Take an applied loan along applied → rated → credited → disbursed up to ``target`` (or reject,
    withdraw it); committed through the unit of work (the documents due are issued then)."""
    if target in ("rejected", "withdrawn"):
        if target == "rejected":
            loan = service.reject_loan(officer, loan.id, "demo: 不符合银行条件")
        else:
            loan = service.withdraw_loan(_clerk_of(loan), loan.id, "demo: 农户主动撤回")
        uow.commit()
        return loan
    # each step its own unit of work, as each would be its own request (the documents due issued in between)
    if PATH.index(target) >= 1 and loan.state == "applied":
        loan = loan_credit.rate_loan(officer, loan.id, scores_totalling(score))
        uow.commit()
    if PATH.index(target) >= 2 and loan.state == "rated":
        ceiling = min(loan.requested_amount, loan.rating_limit)
        loan = loan_credit.credit_loan(officer, loan.id, amount or ceiling, loan.requested_term_months)
        uow.commit()
    if PATH.index(target) >= 3 and loan.state == "credited":
        loan = loan_credit.disburse_loan(disburser or officer, loan.id, on)
        uow.commit()
    return loan


def _clerk_of(loan: Loan) -> User:
    return db.session.scalar(select(User).where(User.id == loan.applied_by_id))


def disbursed_loan(
    users: dict[str, User],
    amount: str = "10000.00",
    term: int = 12,
    on: date = date(2026, 3, 10),
    household: Household | None = None,
) -> Loan:
    """A loan applied, rated, credited (officer) and disbursed (officer2) on ``on``."""
    h = household or free_households()[0]
    head = next(m for m in h.members if m.relation == "head")
    with on_day(on):
        loan = loan_apply.apply_for_loan(
            users["clerk"],
            {
                "household_id": h.id,
                "borrower_id_number": head.id_number,
                "amount": D(amount),
                "term_months": term,
                "purpose": "livestock",
                "purpose_detail": "养牛 5 头",
                "consent": True,
            },
        )
        uow.commit()
        loan_credit.rate_loan(users["officer"], loan.id, dict(FULL_MARKS))
        uow.commit()
        loan_credit.credit_loan(users["officer"], loan.id, D(amount), term)
        uow.commit()
        loan_credit.disburse_loan(users["officer2"], loan.id, on)
        uow.commit()
    db.session.expire_all()
    return db.session.get(Loan, loan.id)


def reload(loan: Loan) -> Loan:
    """The loan as stored now (the session's copies expired)."""
    db.session.expire_all()
    return db.session.get(Loan, loan.id)


def compensated(
    users: dict[str, User], loan: Loan, officer: str = "officer", approver: str = "approver2"
) -> Loan:
    """Claim the fund for the loan (bank officer) and approve the claim (county approver), as two requests."""
    from loanflow.loans.fund import services as fund

    fund.claim_compensation(users[officer], loan.id, "demo: 三次上门催收，两次书面函告，借款人无力偿还")
    uow.commit()
    fund.approve_compensation(users[approver], loan.id)
    uow.commit()
    return reload(loan)


def use_method(method: str) -> None:
    """Publish a policy version whose repayment method is ``method`` (loans credited after it use it)."""
    from loanflow.core.domain.policy import default_policy_document
    from loanflow.policy.services import publish_policy

    document = default_policy_document()
    document["loan"]["method"] = method
    publish_policy(None, document, f"test: {method}")
    uow.commit()
