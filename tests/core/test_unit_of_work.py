"""The unit of work: a request or command commits once, then the documents due are issued; a refusal writes
nothing and issues nothing; a failing after-commit step is logged and never undoes the action."""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from loanflow.core import uow
from loanflow.core.errors import Conflict, msg
from loanflow.documents import services as documents
from loanflow.documents.render import RenderedDocument, template_version
from loanflow.extensions import db
from loanflow.loans import api as loans_api
from loanflow.loans import schemas
from loanflow.loans.services import apply as loan_apply
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.testing.factories import drive, fresh_households, open_loan

# what another connection sees needs real commits; the demo county without seeded cases
pytestmark = [pytest.mark.truncate, pytest.mark.bare_demo]

CREDIT = {"amount": "10000.00", "term_months": 12}
AMOUNT = Decimal("10000.00")


def stored(sql: str):
    """What another connection sees: only what was committed (a raw connection takes no write lock)."""
    conn = db.engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(sql)
        row = cur.fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def stored_state(loan_id: int) -> str:
    return stored(f"SELECT state FROM loan WHERE id = {int(loan_id)}")


def stored_documents(loan_id: int) -> list[str]:
    conn = db.engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(
            f"SELECT kind FROM issued_document WHERE case_type = 'loan' AND case_id = {int(loan_id)} ORDER BY id"
        )
        return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


def credit_events(loan_id: int) -> int:
    return stored(
        f"SELECT COUNT(*) FROM audit_event WHERE action = 'loan.credit' AND entity_id = '{int(loan_id)}'"
    )


# then the dashboard's rollup of the loan's township, queued after the commit like the render (the suite's
# queue runs tasks at once): its claim, the township rebuilt, the task's unit of work
ROLLUP_COMMITS = ["commit", "commit", "commit"]


class Journal(list):
    """What happened, in order: each commit of the session, and each render with the loan as stored then."""

    loan_id = 0


@pytest.fixture
def rated(funded, household):
    return drive(open_loan(funded["clerk"], household, "10000.00", 12), "rated", officer=funded["officer"])


@pytest.fixture
def journal(app, monkeypatch, rated):
    """Documents issued on actions (the suite turns it off), rendered quickly, and what happened when."""
    happened = Journal()
    happened.loan_id = rated.id

    def on_commit(_session) -> None:
        happened.append("commit")

    def render(kind, view):
        happened.append(f"render {kind}: the loan is {stored_state(happened.loan_id)}")
        content = f"%PDF-1.7 {kind} {documents.view_fingerprint(view)}".encode()
        return RenderedDocument(kind, template_version(kind), content, hashlib.sha256(content).hexdigest())

    monkeypatch.setattr(documents, "render_document", render)
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)
    event.listen(Session, "after_commit", on_commit)
    yield happened
    event.remove(Session, "after_commit", on_commit)


def test_a_credit_through_the_api_commits_once_then_issues_the_agreement_from_what_was_committed(
    client, login, rated, journal
):
    headers = login("officer")
    journal.clear()
    r = client.post(f"/api/v1/loans/{rated.id}/credit", json=CREDIT, headers=headers)
    assert r.status_code == 200, r.json
    assert r.json["state"] == "credited"
    assert journal[:3] == ["commit", "render loan_agreement: the loan is credited", "commit"]
    assert journal[3:] == ROLLUP_COMMITS
    assert stored_state(rated.id) == "credited" and credit_events(rated.id) == 1
    assert stored_documents(rated.id) == ["loan_agreement"]


def test_a_credit_from_the_loans_page_commits_and_issues_the_agreement(page_as, rated, journal):
    officer = page_as("officer")
    journal.clear()
    r = officer.post(f"/loans/{rated.id}/credit", data={"amount": "10000", "term_months": "12"})
    assert r.status_code == 302
    assert journal[:3] == ["commit", "render loan_agreement: the loan is credited", "commit"]
    assert journal[3:] == ROLLUP_COMMITS
    assert stored_state(rated.id) == "credited" and stored_documents(rated.id) == ["loan_agreement"]


def test_a_refused_credit_writes_nothing_and_issues_nothing(client, login, page_as, rated, journal):
    headers = login("officer")
    r = client.post(f"/api/v1/loans/{rated.id}/credit", json={"amount": "10000.00"}, headers=headers)
    assert r.status_code == 422 and "term_months" in r.json["errors"]
    r = client.post(f"/api/v1/loans/{rated.id}/disburse", json={}, headers=headers)
    assert r.status_code == 409 and r.json["state"] == "rated"
    r = page_as("officer").post(f"/loans/{rated.id}/credit", data={"amount": "10000", "term_months": ""})
    assert r.status_code == 422
    assert stored_state(rated.id) == "rated" and credit_events(rated.id) == 0
    assert stored_documents(rated.id) == []
    assert not any(step.startswith("render") for step in journal)


def test_a_request_refused_after_its_action_wrote_keeps_nothing_and_issues_nothing(
    client, login, rated, journal, monkeypatch
):
    """The credit is written and its agreement queued, then a later check refuses: 409, all undone."""
    headers = login("officer")

    def credit_then_refuse(user, loan_id, data):
        loan_credit.credit_loan(user, loan_id, data["amount"], data["term_months"])
        raise Conflict(msg("后续检查未通过", "A later check refused"), state="rated")

    monkeypatch.setitem(
        loans_api.ACTIONS,
        "credit",
        schemas.LoanAction(loans_api.ACTIONS["credit"].schema, credit_then_refuse),
    )
    r = client.post(f"/api/v1/loans/{rated.id}/credit", json=CREDIT, headers=headers)
    assert r.status_code == 409
    assert stored_state(rated.id) == "rated" and credit_events(rated.id) == 0
    assert stored_documents(rated.id) == []
    assert uow.pending() == 0
    assert client.get(f"/api/v1/loans/{rated.id}", headers=headers).json["state"] == "rated"
    assert stored_documents(rated.id) == []  # the next request's commit issues nothing either


def test_a_failed_render_is_logged_and_the_credit_stays_done(
    client, login, rated, journal, monkeypatch, caplog
):
    headers = login("officer")

    def broken(kind, view):
        raise OSError("font missing")

    monkeypatch.setattr(documents, "render_document", broken)
    with caplog.at_level(logging.ERROR):
        r = client.post(f"/api/v1/loans/{rated.id}/credit", json=CREDIT, headers=headers)
    assert r.status_code == 200, r.json
    assert f"rendering the owed loan_agreement of loan {rated.id} failed; it stays owed" in caplog.text
    assert stored_state(rated.id) == "credited" and stored_documents(rated.id) == []
    assert [(o.case_id, o.kind) for o in documents.owed_documents()] == [(rated.id, "loan_agreement")]


def test_a_failing_after_commit_step_is_logged_and_the_steps_after_it_still_run(
    funded, rated, journal, caplog
):

    def notify_branch(loan_id: int) -> None:
        raise ConnectionError("the SMS gateway is down")

    uow.after_commit(notify_branch, rated.id)
    loan_credit.credit_loan(funded["officer"], rated.id, AMOUNT, 12)
    with caplog.at_level(logging.ERROR):
        uow.commit()
    assert "after-commit work" in caplog.text and "notify_branch" in caplog.text
    assert "the SMS gateway is down" in caplog.text
    assert stored_state(rated.id) == "credited"
    assert stored_documents(rated.id) == ["loan_agreement"]


def test_a_service_called_outside_a_request_writes_nothing_until_the_unit_of_work_commits(
    funded, rated, journal
):
    other = fresh_households(funded["clerk"].region_code)[0]
    loan = loan_apply.apply_for_loan(
        funded["clerk"],
        {
            "household_id": other.id,
            "borrower_id_number": other.head.id_number,
            "amount": AMOUNT,
            "term_months": 12,
            "purpose": "livestock",
            "consent": True,
        },
    )
    loan_credit.credit_loan(funded["officer"], rated.id, AMOUNT, 12)
    assert loan.state == "applied" and db.session.get(type(loan), rated.id).state == "credited"
    applied_id = loan.id
    assert stored_state(applied_id) is None and stored_state(rated.id) == "rated"
    assert uow.pending() == 1  # the agreement, due once the credit commits
    uow.rollback()
    assert stored_state(rated.id) == "rated" and uow.pending() == 0
    uow.commit()
    assert stored_state(applied_id) is None
    assert stored_documents(rated.id) == []  # the work queued for the undone credit never runs
    loan_credit.credit_loan(funded["officer"], rated.id, AMOUNT, 12)
    db.session.rollback()  # any rollback drops it, as the engine's on a lost race
    assert uow.pending() == 0
    uow.commit()
    assert stored_state(rated.id) == "rated" and stored_documents(rated.id) == []

    loan_credit.credit_loan(funded["officer"], rated.id, AMOUNT, 12)
    uow.commit()
    assert stored_state(rated.id) == "credited" and stored_documents(rated.id) == ["loan_agreement"]
