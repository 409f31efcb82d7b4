"""The loan's documents through the API: issued at credit and disbursement, stored, downloaded byte for byte."""

from __future__ import annotations

import hashlib
import io
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from loanflow.audit.models import AuditEvent
from loanflow.core.domain.numerals import capital_yuan
from loanflow.documents import services as documents_service
from loanflow.documents.models import IssuedDocument
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import drive, open_loan

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


@pytest.fixture(autouse=True)
def documents_on(app, monkeypatch):
    """The suite turns issuing on actions off (renders are slow); these tests are about it."""
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)


def pdf_text(content: bytes) -> str:
    """The PDF's text without whitespace, so that wrapped lines and table spacing still match."""
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def money(value: str) -> str:
    return f"{Decimal(value):,.2f}"


def rated_loan(funded, household, amount="10000.00", term=12) -> Loan:
    loan = open_loan(funded["clerk"], household, amount, term)
    return drive(loan, "rated", officer=funded["officer"])


def documents(client, headers, loan_id: int) -> list[dict]:
    r = client.get(f"/api/v1/loans/{loan_id}/documents", headers=headers)
    assert r.status_code == 200, r.json
    return r.json["items"]


def download(client, headers, item: dict):
    r = client.get(item["download"], headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r


def test_credit_issues_the_agreement_and_disbursement_the_receipt_each_downloaded_exactly_as_stored(
    client, login, funded, household
):
    loan = rated_loan(funded, household)
    borrower_id, borrower = loan.borrower_id_number, loan.borrower_name
    r = client.post(
        f"/api/v1/loans/{loan.id}/credit",
        json={"amount": "10000.00", "term_months": 12},
        headers=login("officer"),
    )
    assert r.status_code == 200, r.json
    [agreement] = documents(client, login("clerk"), loan.id)
    assert (agreement["kind"], agreement["kind_label"], agreement["version"]) == (
        "loan_agreement",
        "借款合同",
        1,
    )
    assert len(agreement["template_version"]) == 64

    got = download(client, login("clerk"), agreement)
    assert got.mimetype == "application/pdf"
    digest = hashlib.sha256(got.data).hexdigest()
    assert digest == agreement["sha256"] == got.headers["ETag"].strip('"')
    assert len(got.data) == agreement["size"]
    disposition = got.headers["Content-Disposition"]
    assert "借款合同" in unquote(disposition.split("filename*=UTF-8''")[1])
    assert loan.case_number in disposition
    text = pdf_text(got.data)
    assert borrower in text
    assert borrower_id in text  # whole, on the household's own agreement
    assert capital_yuan(Decimal("10000.00")) in text  # 人民币壹万元整
    assert "3.00%" in text and "12个月" in text
    assert "2026年3月10日" in text
    assert "4.50%" in text  # the penalty rate: the contract rate plus the policy's markup

    # a second GET with the ETag is answered 304 without the bytes
    again = client.get(
        agreement["download"], headers={**login("clerk"), "If-None-Match": got.headers["ETag"]}
    )
    assert again.status_code == 304

    r = client.post(
        f"/api/v1/loans/{loan.id}/disburse", json={"date": "2026-03-10"}, headers=login("officer2")
    )
    assert r.status_code == 200, r.json
    receipt = next(d for d in documents(client, login("officer"), loan.id) if d["kind"] == "loan_receipt")
    text = pdf_text(download(client, login("officer"), receipt).data)
    schedule = client.get(f"/api/v1/loans/{loan.id}/schedule", headers=login("officer")).json["lines"]
    assert [line["due_date"] for line in schedule] == [
        "2026-03-20",
        "2026-06-20",
        "2026-09-20",
        "2026-12-20",
        "2027-03-10",
    ]
    for line in schedule:
        y, m, d = (int(x) for x in line["due_date"].split("-"))
        assert f"{y}年{m}月{d}日" in text or line["due_date"] in text
        for field in ("principal", "interest", "subsidy", "household_interest"):
            assert money(line[field]) in text, (field, line)
    assert money("8.33") in text and money("66.67") in text  # DOMAIN.md's worked example
    assert borrower_id in text

    # issuing again makes version 2 and keeps version 1 with its original bytes
    r = client.post(
        f"/api/v1/loans/{loan.id}/documents", json={"kind": "loan_agreement"}, headers=login("officer")
    )
    assert r.status_code == 201, r.json
    assert r.json["version"] == 2
    kinds = [(d["kind"], d["version"]) for d in documents(client, login("clerk"), loan.id)]
    assert kinds == [("loan_agreement", 1), ("loan_agreement", 2), ("loan_receipt", 1)]
    first_again = download(client, login("clerk"), agreement)
    assert first_again.data == got.data
    assert hashlib.sha256(first_again.data).hexdigest() == agreement["sha256"]
    # same case, same template, same business date: the same bytes
    assert r.json["sha256"] == agreement["sha256"]

    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "document.issue", AuditEvent.entity_id == str(loan.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.after["kind"], e.after["version"]) for e in events] == [
        ("loan_agreement", 1),
        ("loan_receipt", 1),
        ("loan_agreement", 2),
    ]


def test_documents_are_not_found_outside_the_callers_region_and_whole_ids_are_for_case_workers_only(
    client, login, funded, household, monkeypatch
):
    monkeypatch.setattr(documents_service, "render_document", fake_render)
    loan = drive(rated_loan(funded, household), "credited", officer=funded["officer"])
    [agreement] = documents(client, login("clerk"), loan.id)
    for outsider in ("clerk2", "officer3"):
        headers = login(outsider)
        assert client.get(f"/api/v1/loans/{loan.id}/documents", headers=headers).status_code == 404
        assert client.get(agreement["download"], headers=headers).status_code == 404
        r = client.post(
            f"/api/v1/loans/{loan.id}/documents", json={"kind": "loan_agreement"}, headers=headers
        )
        assert r.status_code == 404
        assert client.post(f"/api/v1/loans/{loan.id}/receipt", headers=headers).status_code == 404
    # the supervisor sees the list, but not the whole ID number the agreement carries
    assert len(documents(client, login("supervisor"), loan.id)) == 1
    r = client.get(agreement["download"], headers=login("supervisor"))
    assert r.status_code == 403 and "身份证" in r.json["detail"]
    r = client.post(
        f"/api/v1/loans/{loan.id}/documents", json={"kind": "loan_agreement"}, headers=login("supervisor")
    )
    assert r.status_code == 403
    # a document id of another case is not found under this one
    other = client.get(f"/api/v1/loans/{loan.id + 999}/documents/{agreement['id']}", headers=login("clerk"))
    assert other.status_code == 404


def fake_render(kind, view):
    """A stand-in renderer (a real render costs 100–250 ms): the bytes name the kind and the view."""
    from loanflow.documents.render import RenderedDocument, template_version

    content = f"%PDF-1.7 {kind} {view!r}".encode()
    return RenderedDocument(kind, template_version(kind), content, hashlib.sha256(content).hexdigest())


def test_a_failed_render_is_logged_never_undoes_the_credit_and_the_agreement_stays_owed_until_a_read(
    client, login, funded, household, monkeypatch, caplog
):
    loan = rated_loan(funded, household)

    def broken(kind, view):
        raise OSError("font missing")

    monkeypatch.setattr(documents_service, "render_document", broken)
    r = client.post(
        f"/api/v1/loans/{loan.id}/credit",
        json={"amount": "10000.00", "term_months": 12},
        headers=login("officer"),
    )
    assert r.status_code == 200 and r.json["state"] == "credited"
    assert "rendering the owed loan_agreement of loan" in caplog.text
    assert documents(client, login("clerk"), loan.id) == []  # the read tries again, and fails again
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0

    # the agreement stays owed: once renders work again, the next read issues it
    monkeypatch.setattr(documents_service, "render_document", fake_render)
    [owed] = documents(client, login("clerk"), loan.id)
    assert (owed["kind"], owed["version"]) == ("loan_agreement", 1)
    assert documents(client, login("clerk"), loan.id) == [owed]  # once
    r = client.post(
        f"/api/v1/loans/{loan.id}/documents", json={"kind": "loan_agreement"}, headers=login("clerk")
    )
    assert r.status_code == 201 and r.json["version"] == 2


def test_issuing_refuses_an_unknown_kind_and_a_document_whose_step_has_not_happened(
    client, login, funded, household, monkeypatch
):
    monkeypatch.setattr(documents_service, "render_document", fake_render)
    loan = rated_loan(funded, household)
    url = f"/api/v1/loans/{loan.id}/documents"
    r = client.post(url, json={"kind": "subsidy_notice"}, headers=login("officer"))
    assert r.status_code == 422 and "kind" in r.json["errors"]
    r = client.post(url, json={"kind": "loan_agreement", "extra": 1}, headers=login("officer"))
    assert r.status_code == 422
    r = client.post(url, json={"kind": "loan_agreement"}, headers=login("officer"))
    assert r.status_code == 409 and r.json["state"] == "rated"
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0


def test_the_household_receipt_says_what_comes_next_by_when_and_whom_to_ask(client, login, funded, household):
    loan = open_loan(funded["clerk"], household, "10000.00", 12)
    db.session.execute(update(Loan).where(Loan.id == loan.id).values(stage_due_provisional=True))
    db.session.commit()
    r = client.post(f"/api/v1/loans/{loan.id}/receipt", headers=login("clerk"))
    assert r.status_code == 201, r.json
    assert (r.json["kind"], r.json["version"]) == ("household_receipt", 1)
    loan = db.session.get(Loan, loan.id)
    text = pdf_text(download(client, login("clerk"), r.json).data)
    due = loan.stage_due_on
    assert loan.case_number in text
    assert "信用评级" in text and "韩摆渡支行" not in text and "苏埠支行" in text
    assert f"{due.year}年{due.month}月{due.day}日前（暂定）" in text
    assert funded["clerk"].full_name in text and funded["clerk"].phone in text
    assert loan.borrower_id_number not in text


def test_extension_issues_the_extension_agreement_with_the_new_maturity_and_the_new_terms_rate(
    app, client, login, funded, household, monkeypatch
):
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", False)  # only the extension renders here
    loan = drive(
        rated_loan(funded, household), "disbursed", officer=funded["officer"], disburser=funded["officer2"]
    )
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2027-01-10")
    r = client.post(
        f"/api/v1/loans/{loan.id}/request-extension",
        json={"months": 6, "reason": "牛价下跌，延迟出栏"},
        headers=login("clerk"),
    )
    assert r.status_code == 200, r.json
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2027-01-15")
    r = client.post(f"/api/v1/loans/{loan.id}/extend", json={}, headers=login("officer"))
    assert r.status_code == 200, r.json
    issued = documents(client, login("officer"), loan.id)
    # the extension agreement, and the 借据 of the plan's new revision (the one at disbursement was off)
    assert sorted(d["kind"] for d in issued) == ["extension_agreement", "loan_receipt"]
    doc = next(d for d in issued if d["kind"] == "extension_agreement")
    assert (doc["kind"], doc["kind_label"], doc["version"]) == ("extension_agreement", "展期协议", 1)
    text = pdf_text(download(client, login("officer"), doc).data)
    assert "2027年9月10日" in text  # 10 March 2027 + 6 months
    assert "2027年3月10日" in text  # the original maturity
    assert "3.50%" in text and "3.00%" in text  # the 18-month band from the extension date; the contract rate
    assert loan.borrower_id_number in text
    assert money("10000.00") in text  # nothing repaid: the whole principal is outstanding


def test_the_answer_to_a_credit_is_the_committed_credit_and_its_agreement_joins_the_timeline_right_after(
    client, login, funded, household
):
    """The agreement is issued after the credit commits (never inside its transaction): the credit's own
    answer ends its timeline with the credit; the next read shows the agreement issued too."""
    loan = rated_loan(funded, household)
    headers = login("officer")
    r = client.post(
        f"/api/v1/loans/{loan.id}/credit", json={"amount": "10000.00", "term_months": 12}, headers=headers
    )
    assert r.status_code == 200 and r.json["state"] == "credited"
    assert [e["action"] for e in r.json["timeline"]][-1] == "credit"
    later = client.get(f"/api/v1/loans/{loan.id}", headers=headers).json
    assert [e["action"] for e in later["timeline"]][-2:] == ["credit", "document.issue"]
    assert later["timeline"][-1]["action_label"] == "出具文书：借款合同"
