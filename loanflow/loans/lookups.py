"""Read-only lookups the loan page needs beside the service's answer (plan, repayments, position)."""

from __future__ import annotations

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.extensions import db
from loanflow.loans.domain.ledger_types import Position
from loanflow.loans.models import Loan, LoanScheduleLine, Repayment
from loanflow.loans.services.money import position_of
from loanflow.policy.services import current_policy


def schedule_in_force(loan: Loan) -> list[LoanScheduleLine]:
    """The repayment plan in force: revision 0 at disbursement, n after the n-th extension."""
    stmt = select(LoanScheduleLine).where(
        LoanScheduleLine.loan_id == loan.id, LoanScheduleLine.revision == loan.extension_count
    )
    return list(db.session.scalars(stmt.order_by(LoanScheduleLine.seq)))


def repayments_of(loan: Loan) -> list[Repayment]:
    """Every repayment of a loan, reversed ones included (they stay, marked)."""
    stmt = select(Repayment).where(Repayment.loan_id == loan.id).order_by(Repayment.paid_on, Repayment.id)
    return list(db.session.scalars(stmt))


def loan_position(loan: Loan) -> Position | None:
    """Due now and payoff as of the business date; none before disbursement."""
    if loan.disbursed_on is None:
        return None
    return position_of(loan)


def reversible_repayments(user: User, loan: Loan) -> list[Repayment]:
    """Live repayments this user may reverse: four eyes is per repayment (the service refuses the
    recorder with 403), so the form offers only the others' ones."""
    four_eyes = current_policy().four_eyes
    return [
        r
        for r in repayments_of(loan)
        if not r.is_reversed and not (four_eyes and r.recorded_by_id == user.id)
    ]
