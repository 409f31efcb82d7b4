"""Issuing documents in the service layer: no transaction held while rendering, versions under races, policy values."""

from __future__ import annotations

import hashlib
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from loanflow.core import uow
from loanflow.core.domain.policy import default_policy_document
from loanflow.documents import services as documents
from loanflow.documents.models import IssuedDocument
from loanflow.documents.render import RenderedDocument, template_version
from loanflow.extensions import db
from loanflow.loans import documents as document_views
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import drive, open_loan
from loanflow.policy.services import publish_policy

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases
RACERS = 6


def fake_render(kind, view):
    """A stand-in for the 100–250 ms render: deterministic bytes from the view."""
    content = f"%PDF-1.7 {kind} {documents.view_fingerprint(view)} {view.issued_on}".encode()
    return RenderedDocument(kind, template_version(kind), content, hashlib.sha256(content).hexdigest())


@pytest.fixture
def credited(funded, household, monkeypatch) -> Loan:
    monkeypatch.setattr(documents, "render_document", fake_render)
    loan = open_loan(funded["clerk"], household, "10000.00", 12)
    return drive(loan, "credited", officer=funded["officer"])


def test_the_render_runs_with_no_database_transaction_open(funded, credited, monkeypatch):
    seen: list[bool] = []

    def watching(kind, view):
        seen.append(db.session().in_transaction())
        return fake_render(kind, view)

    monkeypatch.setattr(documents, "render_document", watching)
    doc = documents.issue_for_loan(funded["officer"], credited.id, "loan_agreement")
    assert seen == [False]
    assert doc.version == 1 and doc.size == len(doc.content)


@pytest.mark.truncate  # threads racing through connections of their own
def test_simultaneous_issues_of_one_kind_get_distinct_consecutive_versions(app, funded, credited):
    loan_id, officer_id = credited.id, funded["officer"].id
    db.session.remove()
    barrier = threading.Barrier(RACERS)
    versions: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def issue() -> None:
        with app.app_context():
            try:
                actor = db.session.get(type(funded["officer"]), officer_id)
                db.session.commit()  # hold no transaction (on SQLite: no write lock) at the barrier
                barrier.wait()
                doc = documents.issue_for_loan(actor, loan_id, "loan_agreement")
                uow.commit()
                with lock:
                    versions.append(doc.version)
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(versions) == list(range(1, RACERS + 1))
    stored = db.session.scalars(select(IssuedDocument.version).where(IssuedDocument.case_id == loan_id)).all()
    assert sorted(stored) == list(range(1, RACERS + 1))


def test_the_agreement_keeps_the_numbers_of_the_policy_version_the_credit_used(funded, credited):
    later = default_policy_document()
    later["loan"]["penalty_markup"] = "0.80"
    later["loan"]["extension"]["max_months"] = 6
    publish_policy(funded["admin"], later, "new penalty markup")
    view = document_views.loan_agreement_view(db.session.get(Loan, credited.id))
    assert view.penalty_markup == Decimal("0.50")
    assert view.extension_max_months == 12
    assert view.annual_rate == Decimal("0.0300") and view.amount == Decimal("10000.00")
    assert view.borrower.id_number == credited.borrower_id_number


def test_the_fingerprint_of_a_view_ignores_only_its_issue_date(funded, credited, app, monkeypatch):
    loan = db.session.get(Loan, credited.id)
    first = documents.view_fingerprint(document_views.loan_agreement_view(loan))
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-03-11")
    view = document_views.loan_agreement_view(loan)
    assert view.issued_on.isoformat() == "2026-03-11"
    assert documents.view_fingerprint(view) == first
    db.session.execute(db.update(Loan).where(Loan.id == loan.id).values(purpose_detail="生猪"))
    db.session.commit()
    assert documents.view_fingerprint(document_views.loan_agreement_view(loan)) != first
