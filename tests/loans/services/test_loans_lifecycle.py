"""The loan from application to disbursement through the services: states, decisions, deadlines, audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from loanflow.audit import services as audit
from loanflow.audit.models import AuditEvent
from loanflow.core.errors import Conflict, Forbidden, Invalid, NotFound
from loanflow.extensions import db
from loanflow.loans.models import Disbursement, Loan, LoanScheduleLine
from loanflow.loans.services import actions as service
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.testing.factories import drive, open_loan, scores_totalling

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


def test_an_application_opens_a_case_numbered_by_year_with_a_deadline_five_working_days_on(funded, household):
    loan = open_loan(funded["clerk"], household, "20000.00", 12)
    assert loan.state == "applied"
    assert loan.case_number == f"DK-2026-{loan.id:06d}"
    assert loan.borrower_id_number == household.head.id_number
    assert loan.application_policy_version == 1
    # 2026-03-10 is a Tuesday: five working days later is Tuesday 2026-03-17
    assert loan.stage_due_on == date(2026, 3, 17)
    assert loan.branch_id == funded["officer"].branch_id


def test_the_whole_road_to_disbursement_fixes_the_schedule_and_writes_one_disbursement(funded, household):
    loan = open_loan(funded["clerk"], household, "10000.00", 12)
    loan = drive(loan, "disbursed", officer=funded["officer"], disburser=funded["officer2"], score=85)
    assert loan.state == "disbursed"
    assert loan.rating_grade == "4star" and loan.rating_limit == Decimal("40000.00")
    assert loan.credited_amount == Decimal("10000.00")
    assert loan.rate == Decimal("0.0300")
    assert loan.maturity_on == date(2027, 3, 10)
    assert loan.stage_due_on is None
    lines = db.session.scalars(select(LoanScheduleLine).where(LoanScheduleLine.loan_id == loan.id)).all()
    assert [(str(x.due_date), str(x.principal), str(x.interest)) for x in lines] == [
        ("2026-03-20", "0.00", "8.33"),
        ("2026-06-20", "0.00", "76.67"),
        ("2026-09-20", "0.00", "76.67"),
        ("2026-12-20", "0.00", "75.83"),
        ("2027-03-10", "10000.00", "66.67"),
    ]
    assert db.session.scalar(select(func.count(Disbursement.id))) == 1
    assert audit.verify().ok
    actions = [e.action for e in audit.timeline("loan", loan.id)]
    assert actions == ["loan.apply", "loan.rate", "loan.credit", "loan.disburse"]


def test_a_score_below_the_floor_rejects_the_loan_with_the_score_in_the_reason(funded, household):
    loan = open_loan(funded["clerk"], household)
    loan = loan_credit.rate_loan(funded["officer"], loan.id, scores_totalling(59))
    assert loan.state == "rejected"
    assert "59" in loan.closing_reason
    event = audit.timeline("loan", loan.id)[-1]
    assert "59" in event.reason and event.after["state"] == "rejected"


def test_the_officer_who_credited_may_not_disburse(funded, household):
    loan = drive(open_loan(funded["clerk"], household), "credited", officer=funded["officer"])
    with pytest.raises(Forbidden) as e:
        loan_credit.disburse_loan(funded["officer"], loan.id)
    assert "四眼" in e.value.message.zh
    assert db.session.scalar(select(func.count(Disbursement.id))) == 0


def test_a_loan_outside_the_officers_branch_is_not_found(funded, household):
    loan = open_loan(funded["clerk"], household)
    with pytest.raises(NotFound):
        loan_credit.rate_loan(funded["officer3"], loan.id, scores_totalling(80))


def test_a_second_rating_is_refused_as_a_conflict_listing_what_may_be_done(funded, household):
    loan = drive(open_loan(funded["clerk"], household), "rated", officer=funded["officer"])
    with pytest.raises(Conflict) as e:
        loan_credit.rate_loan(funded["officer"], loan.id, scores_totalling(80))
    assert e.value.allowed_actions == ["credit", "reject"]


def test_a_second_open_loan_of_a_household_is_refused_by_the_database_too(funded, household):
    open_loan(funded["clerk"], household)
    row = db.session.scalars(select(Loan)).one()
    clone = {c.key: getattr(row, c.key) for c in Loan.__table__.columns if c.key != "id"}
    clone["case_number"] = "DK-2026-999999"
    with pytest.raises(Exception) as e:
        db.session.execute(Loan.__table__.insert().values(**clone))
        db.session.flush()
    db.session.rollback()
    assert "unique" in str(e.value).lower()


def test_a_closed_loan_does_not_stand_in_the_way_of_a_new_one(funded, household):
    loan = open_loan(funded["clerk"], household)
    service.withdraw_loan(funded["clerk"], loan.id, "农户不再需要")
    again = open_loan(funded["clerk"], household)
    assert again.state == "applied"


def test_credit_above_the_grade_limit_is_refused_naming_the_figures(funded, household):
    loan = drive(
        open_loan(funded["clerk"], household, "50000.00", 24), "rated", officer=funded["officer"], score=72
    )
    with pytest.raises(Invalid) as e:
        loan_credit.credit_loan(funded["officer"], loan.id, Decimal("30000.01"), 24)
    assert "30000" in e.value.errors["amount"][0].zh
    loan = loan_credit.credit_loan(funded["officer"], loan.id, Decimal("30000.00"), 24)
    assert loan.rate == Decimal("0.0350") and loan.credit_policy_version == 1


def test_audit_events_are_not_written_for_a_refused_action(funded, household):
    loan = open_loan(funded["clerk"], household)
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(Invalid):
        service.reject_loan(funded["officer"], loan.id, "  ")
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before
