"""Helpers for the money tests: move the business date, fill the fund, make a disbursed loan.

Shared by ``tests/services/test_loan_money_*.py`` and ``tests/api/test_loan_money_*.py``.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.fund.services import deposit
from loanflow.loans.models import Loan
from loanflow.loans.services import apply as loan_apply
from loanflow.loans.services import credit as loan_credit

D = Decimal
FULL_MARKS = {
    "household_size": 10,
    "workers": 15,
    "assets": 15,
    "net_income": 20,
    "integrity": 25,
    "repayment_record": 15,
}


@contextmanager
def on_day(day: date | str):
    """The business date is ``day`` inside the block."""
    old = current_app.config.get("LOANFLOW_TODAY")
    current_app.config["LOANFLOW_TODAY"] = day if isinstance(day, str) else day.isoformat()
    try:
        yield
    finally:
        current_app.config["LOANFLOW_TODAY"] = old


def fill_fund(users, amount: str = "100000.00", on: date = date(2026, 1, 5)) -> None:
    with on_day(on):
        deposit(users["admin"], "341503", D(amount), on, "财政拨款 2026-001")


def free_households(village: str = "341503001001") -> list[Household]:
    """Households of the village without any loan (the demo may have seeded some)."""
    taken = select(Loan.household_id)
    rows = db.session.scalars(
        select(Household)
        .where(Household.village_code == village, Household.id.not_in(taken))
        .order_by(Household.id)
    )
    return list(rows)


def disbursed_loan(
    users,
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
        loan_credit.rate_loan(users["officer"], loan.id, dict(FULL_MARKS))
        loan_credit.credit_loan(users["officer"], loan.id, D(amount), term)
        loan_credit.disburse_loan(users["officer2"], loan.id, on)
    db.session.expire_all()
    return db.session.get(Loan, loan.id)


def reload(loan: Loan) -> Loan:
    db.session.expire_all()
    return db.session.get(Loan, loan.id)
