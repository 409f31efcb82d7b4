"""Issue 9, point 12: 18 head × 200 is paid 3,000 and the page and the approval notice say 封顶."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from loanflow.core.domain.numerals import capital_yuan
from loanflow.subsidies.testing.factories import fresh_household, make_case

VILLAGE = "341503001001"


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def eighteen_pigs(users, state: str):
    return make_case(
        fresh_household(VILLAGE, "十八头户"),
        state,
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
        industry="pig",
        quantity="18",
    )


def test_the_case_page_and_the_publicity_page_show_the_cap(page_as, users):
    case = eighteen_pigs(users, "publicized")
    clerk = page_as("clerk")
    html = clerk.get(f"/subsidies/{case.id}").get_data(as_text=True)
    assert "3,000.00" in html or "3000.00" in html
    assert "18 头 × 200 = 3,600, 封顶 3,000" in html
    listed = clerk.get(f"/publicity/{case.publicity_id}").get_data(as_text=True)
    assert "18 头 × 200 = 3,600, 封顶 3,000" in listed
    listing = clerk.get("/subsidies").get_data(as_text=True)
    assert "封顶" in listing


def test_the_approval_notice_says_3000_capped(app, client, login, users, monkeypatch):
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)
    case = eighteen_pigs(users, "approved")
    items = client.get(f"/api/v1/subsidies/{case.id}/documents", headers=login("clerk")).json["items"]
    [notice] = [d for d in items if d["kind"] == "subsidy_notice"]
    text = pdf_text(client.get(notice["download"], headers=login("clerk")).data)
    assert capital_yuan(case.amount) in text and "人民币叁仟元整" in text
    assert "18头×200=3,600,封顶3,000" in text
