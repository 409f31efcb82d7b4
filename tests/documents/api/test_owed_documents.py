"""A document due at a step is owed from the step's commit: a crash before its render never loses it."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from loanflow.core import uow
from loanflow.documents import services as documents_service
from loanflow.documents.models import IssuedDocument, OwedDocument
from loanflow.documents.render import RenderedDocument, template_version
from loanflow.extensions import db
from loanflow.loans.testing.factories import drive, open_loan

pytestmark = pytest.mark.bare_demo

CREDIT = {"amount": "10000.00", "term_months": 12}


@pytest.fixture(autouse=True)
def documents_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)

    def fake_render(kind, view):
        content = f"%PDF-1.7 {kind} {documents_service.view_fingerprint(view)}".encode()
        return RenderedDocument(kind, template_version(kind), content, hashlib.sha256(content).hexdigest())

    monkeypatch.setattr(documents_service, "render_document", fake_render)


@pytest.fixture
def dies_after_commit(monkeypatch):
    """The process is killed between the step's commit and the work after it."""
    monkeypatch.setattr(uow, "_run_after_commit", lambda: uow.db.session.info.pop(uow._QUEUE, None))


def rated(funded, household):
    return drive(open_loan(funded["clerk"], household, "10000.00", 12), "rated", officer=funded["officer"])


def issued(loan_id: int) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(IssuedDocument.kind, IssuedDocument.version)
        .where(IssuedDocument.case_type == "loan", IssuedDocument.case_id == loan_id)
        .order_by(IssuedDocument.id)
    )
    return [tuple(row) for row in rows]


def test_the_owed_agreement_is_committed_with_the_credit_and_rendered_on_the_next_read(
    client, login, funded, household, dies_after_commit
):
    loan = rated(funded, household)
    r = client.post(f"/api/v1/loans/{loan.id}/credit", json=CREDIT, headers=login("officer"))
    assert r.status_code == 200 and r.json["state"] == "credited"
    assert issued(loan.id) == []
    assert [(o.kind, o.case_id) for o in documents_service.owed_documents()] == [("loan_agreement", loan.id)]

    items = client.get(f"/api/v1/loans/{loan.id}/documents", headers=login("clerk")).json["items"]
    assert [(d["kind"], d["version"]) for d in items] == [("loan_agreement", 1)]
    assert client.get(f"/api/v1/loans/{loan.id}/documents", headers=login("clerk")).json["items"] == items
    assert issued(loan.id) == [("loan_agreement", 1)]
    assert db.session.scalar(select(func.count(OwedDocument.id))) == 0


def test_the_worker_renders_everything_still_owed_once(client, login, funded, household, dies_after_commit):
    loan = rated(funded, household)
    assert (
        client.post(f"/api/v1/loans/{loan.id}/credit", json=CREDIT, headers=login("officer")).status_code
        == 200
    )
    r = client.post(
        f"/api/v1/loans/{loan.id}/disburse", json={"date": "2026-03-10"}, headers=login("officer2")
    )
    assert r.status_code == 200, r.json
    assert documents_service.render_owed() == 2
    assert documents_service.render_owed() == 0
    assert issued(loan.id) == [("loan_agreement", 1), ("loan_receipt", 1)]


def test_a_refused_step_owes_nothing(client, login, funded, household):
    loan = rated(funded, household)
    r = client.post(f"/api/v1/loans/{loan.id}/credit", json={"amount": "10000.00"}, headers=login("officer"))
    assert r.status_code == 422
    assert documents_service.owed_documents() == [] and issued(loan.id) == []


def test_an_owed_row_rendered_by_two_at_once_is_stored_once(
    client, login, funded, household, dies_after_commit
):
    loan = rated(funded, household)
    assert (
        client.post(f"/api/v1/loans/{loan.id}/credit", json=CREDIT, headers=login("officer")).status_code
        == 200
    )
    [owed] = documents_service.owed_documents()
    owed_id = owed.id
    first = documents_service.render_owed_one(owed_id)
    uow.commit()
    second = documents_service.render_owed_one(owed_id)  # a second renderer comes late: the row is gone
    uow.commit()
    assert first is not None and second is None
    assert issued(loan.id) == [("loan_agreement", 1)]
