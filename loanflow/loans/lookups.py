"""Read-only lookups the loan page needs beside the service's answer (position, reversible repayments)."""

from __future__ import annotations

from loanflow.accounts.models import User
from loanflow.loans.domain.ledger_types import Position
from loanflow.loans.models import Loan, Repayment
from loanflow.loans.services.position import position_of, repayments_of
from loanflow.policy.services import current_policy


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
        for r in repayments_of(loan.id)
        if not r.is_reversed and not (four_eyes and r.recorded_by_id == user.id)
    ]
