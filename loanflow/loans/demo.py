"""Demo loans in every state, dated relative to the business date, made through the services.

Each step is its own unit of work, committed as of its own day. States that need
the money actions (overdue, recalled, repaid, compensated) are made with the money,
extension and fund services. The tests have factories of their own
(``loanflow/loans/testing/factories.py``).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.clock import business_date
from loanflow.core.domain.idcard import age_on
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans import sweep
from loanflow.loans.fund import services as fund
from loanflow.loans.models import FundEntry, Loan
from loanflow.loans.services import actions as service
from loanflow.loans.services import apply as loan_apply
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.services import extensions, money
from loanflow.policy.services import current_policy

# Small test counties stay free of cases so that tests start from a clean register.
MIN_HOUSEHOLDS_FOR_CASES = 100
PATH = ("applied", "rated", "credited", "disbursed")


def deposit(
    county_code: str, amount: Decimal | str, on: date | None = None, actor: User | None = None
) -> None:
    """A deposit into the county's risk-compensation fund (风险补偿金), audited."""
    on = on or clock.today()
    entry = FundEntry(
        county_code=county_code,
        kind="deposit",
        amount=Decimal(amount),
        entry_date=on,
        recorded_by_id=getattr(actor, "id", None) or _user("admin").id,
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


def _user(username: str) -> User:
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
    """Apply on the household's behalf for its head (a demo step: committed through the unit of work)."""
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
    """Take an applied loan along applied → rated → credited → disbursed up to ``target``.

    A demo step: committed through the unit of work (the documents due are issued then).
    """
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


def _money_cases(
    households: list[Household], today: date, clerk: User, officer: User, officer2: User
) -> dict:
    """Repaid, overdue, recalled and compensated loans, through the money, extension and fund services."""
    if len(households) < 4:
        return {}

    def lent(days_ago: int, term: int) -> Loan:
        start = today - timedelta(days=days_ago)
        loan = _step(start, open_loan, clerk, households.pop(0), "10000.00", term)
        return _step(start, lambda: drive(loan, "disbursed", officer=officer, disburser=officer2))

    repaid = lent(120, 3)
    paid_on = repaid.maturity_on
    payoff = _step(paid_on, lambda: money.position_of(repaid, paid_on).payoff)
    _step(paid_on, money.repay_loan, officer, repaid.id, payoff, paid_on)
    overdue = lent(130, 3)
    compensated = lent(260, 3)
    recalled = lent(60, 12)
    _step(today - timedelta(days=10), extensions.recall_loan, officer, recalled.id, "demo: 贷款资金挪作他用")
    sweep.run_sweep(today)
    fund.compensate_loan(officer2, compensated.id)
    states = db.session.scalars(select(Loan.state).where(Loan.id.in_([repaid.id, overdue.id])))
    counts: dict[str, int] = {}
    for state in [*states, "recalled", "compensated"]:
        counts[state] = counts.get(state, 0) + 1
    return counts


def _step(day: date, fn, *args) -> Any:
    """One back-dated demo step, its own unit of work: committed (documents issued) as of ``day``."""
    with business_date(day):
        result = fn(*args)
        uow.commit()
        return result


def seed_demo(rng: random.Random) -> dict[str, Any]:
    """Loans in every state the services can reach, some of them past their stage deadline."""
    if db.session.scalar(select(db.func.count(Household.id))) < MIN_HOUSEHOLDS_FOR_CASES:
        return {}
    uow.commit()
    today = clock.today()
    clerk, clerk2 = _user("clerk"), _user("clerk2")
    officer, officer2, officer3 = _user("officer"), _user("officer2"), _user("officer3")
    deposit(clerk.county_code, "1000000.00", today - timedelta(days=400))
    a = fresh_households(clerk.region_code)
    b = fresh_households(clerk2.region_code)
    made: dict[str, int] = {}

    def case(
        households: list[Household], who: User, officer_: User, target: str, days_ago: int, **kw
    ) -> Loan:
        h = households.pop(0)
        start = today - timedelta(days=days_ago)
        loan = _step(start, open_loan, who, h, kw.pop("amount", "20000.00"), kw.pop("term", 12))
        if target != "applied":
            loan = _step(
                start + timedelta(days=kw.pop("later", 1)),
                lambda: drive(loan, target, officer=officer_, **kw),
            )
        made[loan.state] = made.get(loan.state, 0) + 1
        return loan

    case(a, clerk, officer, "applied", 1)
    case(b, clerk2, officer3, "applied", 20)  # stalled: past its 5 working days
    case(a, clerk, officer, "rated", 3)
    case(b, clerk2, officer3, "rated", 25)  # stalled
    case(a, clerk, officer, "credited", 2)
    case(b, clerk2, officer3, "credited", 30)  # stalled: nobody else at branch B may disburse (four eyes)
    case(a, clerk, officer, "disbursed", 40, disburser=officer2, later=3)
    case(a, clerk, officer, "disbursed", 200, disburser=officer2, later=20, term=24)
    case(a, clerk, officer, "rejected", 10)
    case(b, clerk2, officer3, "withdrawn", 12)
    case(b, clerk2, officer3, "rated", 8, score=50)  # rated below the floor: rejected with the score
    made.update(_money_cases(a, today, clerk, officer, officer2))
    uow.commit()
    return {"loans": made}
