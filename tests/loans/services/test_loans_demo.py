"""The demo's loans: every state, dated relative to the business date, some past their deadline."""

from __future__ import annotations

from sqlalchemy import select

from loanflow.audit import services as audit
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.services.queries import is_stalled

EVERY_STATE = {
    "applied",
    "rated",
    "credited",
    "disbursed",
    "overdue",
    "recalled",
    "repaid",
    "compensation_claimed",  # a claim waiting for the county approver
    "compensated",
    "rejected",
    "withdrawn",
}


def test_the_demo_seeds_loans_in_every_state_with_stalled_ones_and_an_intact_trail(app):
    from loanflow import demo
    from loanflow.loans import demo as loans_demo

    summary = demo.build_demo(100, case_builders=(loans_demo.seed_demo,))
    loans = db.session.scalars(select(Loan)).all()
    assert {loan.state for loan in loans} == EVERY_STATE
    assert set(summary["loans"]) == EVERY_STATE
    stalled = [loan for loan in loans if is_stalled(loan)]
    assert {loan.state for loan in stalled} == {"applied", "rated", "credited"}
    (claim,) = [loan for loan in loans if loan.state == "compensation_claimed"]
    assert claim.claim_note and claim.stage_due_on is not None  # the county's 10 working days run
    assert audit.verify().ok


def test_a_small_county_gets_no_demo_loans(app):
    from loanflow import demo
    from loanflow.loans import demo as loans_demo

    assert "loans" not in demo.build_demo(30, case_builders=(loans_demo.seed_demo,))
    assert db.session.scalar(select(Loan.id).limit(1)) is None
