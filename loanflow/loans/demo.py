"""Demo loans in every state, dated relative to the business date, made through the services.

Each step is its own unit of work, committed as of its own day. States that need
the money actions (overdue, recalled, repaid, compensation claimed, compensated) are made with the money,
extension and fund services. The tests have factories of their own
(``loanflow/loans/testing/factories.py``).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.core import clock, uow
from loanflow.core.clock import business_date
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans import sweep
from loanflow.loans.fund import services as fund
from loanflow.loans.models import Loan
from loanflow.loans.services import extensions, money
from loanflow.loans.testing.factories import (  # the same steps the tests take
    deposit,
    drive,
    fresh_households,
    open_loan,
    user_named,
)

# Small test counties stay free of cases so that tests start from a clean register.
MIN_HOUSEHOLDS_FOR_CASES = 100


def _money_cases(
    households: list[Household], today: date, clerk: User, officer: User, officer2: User
) -> dict:
    """Repaid, overdue, recalled and compensated loans and a compensation claim waiting for the county,
    through the money, extension and fund services."""
    if len(households) < 5:
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
    claimed = lent(270, 3)
    recalled = lent(60, 12)
    _step(today - timedelta(days=10), extensions.recall_loan, officer, recalled.id, "demo: 贷款资金挪作他用")
    sweep.run_sweep(today)
    note = "demo: 到期后三次上门催收、两次书面函告，借款人外出务工无力偿还"
    _step(today, fund.claim_compensation, officer2, compensated.id, note)
    _step(today, fund.approve_compensation, user_named("approver2"), compensated.id)
    _step(today, fund.claim_compensation, officer, claimed.id, note)  # waits for the county approver
    states = db.session.scalars(select(Loan.state).where(Loan.id.in_([repaid.id, overdue.id])))
    counts: dict[str, int] = {}
    for state in [*states, "recalled", "compensated", "compensation_claimed"]:
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
    clerk, clerk2 = user_named("clerk"), user_named("clerk2")
    officer, officer2, officer3 = user_named("officer"), user_named("officer2"), user_named("officer3")
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
