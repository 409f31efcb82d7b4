"""Subsidy documents through the API: the 公示 list without personal data, the approval notice, the receipt."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from loanflow.core.domain.labels import label
from loanflow.core.domain.numerals import capital_yuan
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.testing.factories import make_case

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases
VILLAGE = "341503001001"


@pytest.fixture(autouse=True)
def documents_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def register_households(count: int) -> list[Household]:
    """Households of the clerk's village with ID numbers, phones and accounts, and no subsidy case."""
    taken = select(SubsidyCase.household_id)
    rows = db.session.scalars(
        select(Household)
        .where(Household.village_code == VILLAGE, Household.id.not_in(taken))
        .order_by(Household.id)
    ).all()
    chosen = [h for h in rows if h.head is not None and h.head.id_number and h.head.phone][:count]
    assert len(chosen) == count
    return chosen


def test_the_publicity_list_shows_names_and_amounts_and_never_an_id_number_phone_or_account(
    app, client, login, users, monkeypatch
):
    households = register_households(2)
    people = {h.id: (h.head.name, h.head.id_number, h.head.phone, h.bank_account) for h in households}
    kw = dict(
        start=date(2026, 3, 2), clerk=users["clerk"], verifier=users["approver"], approver=users["approver2"]
    )
    a = make_case(households[0], "verified", industry="tea", quantity="2.5", **kw)
    b = make_case(households[1], "verified", industry="pig", quantity="4", **kw)
    r = client.post(
        f"/api/v1/subsidies/{a.id}/publicize", json={"case_ids": [b.id]}, headers=login("approver")
    )
    assert r.status_code == 200, r.json
    pid = r.json["publicity"]["id"]

    got = client.get(f"/api/v1/publicity/{pid}/pdf", headers=login("clerk"))
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert hashlib.sha256(got.data).hexdigest() == got.headers["ETag"].strip('"')
    text = pdf_text(got.data)
    for h in households:
        name, id_number, phone, account = people[h.id]
        assert name in text
        for secret in (id_number, phone, account):
            assert secret not in text, secret
        assert label("cause", h.main_cause) not in text  # nor the poverty cause
    assert "1,250.00" in text and "800.00" in text
    # nothing on the list changed: the same stored document, not a new version
    again = client.get(f"/api/v1/publicity/{pid}/pdf", headers=login("approver"))
    assert again.data == got.data and again.headers["ETag"] == got.headers["ETag"]

    # an objection takes a line off: the list is issued again as version 2 without it
    r = client.post(
        f"/api/v1/subsidies/{b.id}/object",
        json={"raised_by": "村民代表", "reason": "实际存栏不足"},
        headers=login("approver"),
    )
    assert r.status_code == 200, r.json
    newer = client.get(f"/api/v1/publicity/{pid}/pdf", headers=login("clerk"))
    assert newer.headers["ETag"] != got.headers["ETag"]
    assert "-v2.pdf" in newer.headers["Content-Disposition"]
    assert people[households[1].id][0] not in pdf_text(newer.data)
    assert client.get(f"/api/v1/publicity/{pid}/pdf", headers=login("clerk2")).status_code == 404


def test_approval_issues_the_notice_and_the_household_gets_a_receipt(app, client, login, users, monkeypatch):
    [h] = register_households(1)
    case = make_case(
        h,
        "publicized",
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
        industry="kiwi",
        quantity="3",
    )
    opens = case.publicity.approval_opens_on
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", opens.isoformat())
    r = client.post(f"/api/v1/subsidies/{case.id}/approve", json={}, headers=login("approver2"))
    assert r.status_code == 200, r.json
    items = client.get(f"/api/v1/subsidies/{case.id}/documents", headers=login("clerk")).json["items"]
    assert [(d["kind"], d["kind_label"], d["version"]) for d in items] == [
        ("subsidy_notice", "奖补审批通知", 1)
    ]
    got = client.get(items[0]["download"], headers=login("supervisor"))  # no ID number on it: readable by all
    assert got.status_code == 200
    assert hashlib.sha256(got.data).hexdigest() == items[0]["sha256"] == got.headers["ETag"].strip('"')
    text = pdf_text(got.data)
    case = db.session.get(SubsidyCase, case.id)
    assert h.head.name in text and "猕猴桃" in text
    assert capital_yuan(case.amount) in text  # 3 亩 × 800 = 人民币贰仟肆佰元整
    assert f"{opens.year}年{opens.month}月{opens.day}日" in text

    r = client.post(f"/api/v1/subsidies/{case.id}/receipt", headers=login("clerk"))
    assert r.status_code == 201, r.json
    text = pdf_text(client.get(r.json["download"], headers=login("clerk")).data)
    due = case.stage_due_on
    assert f"JB-2026-{case.id:06d}" in text and "发放" in text
    assert f"{due.year}年{due.month}月{due.day}日前" in text
    assert users["clerk"].phone in text
    assert client.post(f"/api/v1/subsidies/{case.id}/receipt", headers=login("clerk2")).status_code == 404
    assert client.post(f"/api/v1/subsidies/{case.id}/receipt", headers=login("supervisor")).status_code == 403
