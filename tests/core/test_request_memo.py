"""What a request reads once (``uow.memo``: the policy in force, the calendar, a loan's repayments) is
read again after its table is written directly in the same transaction, and only then."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from loanflow.core import uow
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import disbursed_loan

pytestmark = pytest.mark.bare_demo


@pytest.fixture
def loan_id(funded) -> int:
    loan_id = disbursed_loan(funded).id
    uow.commit()
    return loan_id


def test_a_memo_is_read_again_after_a_direct_write_of_its_table_only(app, loan_id):
    from loanflow.loans.models import Repayment

    reads = []

    def read():
        reads.append(1)
        return len(reads)

    with app.test_request_context("/"):
        assert uow.memo("k", "repayment", read) == 1
        assert uow.memo("k", "repayment", read) == 1  # kept
        db.session.execute(update(Loan).where(Loan.id == loan_id).values(purpose_detail="另一个表"))
        assert uow.memo("k", "repayment", read) == 1  # another table written: still kept
        db.session.execute(
            update(Repayment).where(Repayment.loan_id == loan_id).values(reversal_reason="直接写入")
        )
        assert uow.memo("k", "repayment", read) == 2  # its table written directly: read again
        uow.rollback()
        assert uow.memo("k", "repayment", read) == 3  # a new transaction reads afresh
