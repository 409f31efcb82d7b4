"""The loan cases a county auditor disputed (issue 9), through the API, the page and the 借据, to the fen."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from loanflow.core import uow
from loanflow.extensions import db
from loanflow.loans.models import FundEntry
from loanflow.loans.sweep import run_sweep
from loanflow.loans.testing.factories import disbursed_loan, fill_fund, on_day, reload, use_method

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


@pytest.fixture
def funded(users):
    fill_fund(users)
    return users


def act(client, headers, loan_id, action, body):
    return client.post(f"/api/v1/loans/{loan_id}/{action}", json=body, headers=headers)


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def receipts(client, headers, loan_id) -> list[dict]:
    items = client.get(f"/api/v1/loans/{loan_id}/documents", headers=headers).json["items"]
    return sorted((x for x in items if x["kind"] == "loan_receipt"), key=lambda x: x["version"])


def page_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_instalment_brought_early_through_the_api_and_the_page_leaves_nothing_due(
    client, login, funded, page_as
):
    use_method("equal_principal")
    loan = disbursed_loan(funded, "12000.00", 12, date(2026, 1, 15))
    with on_day("2026-03-18"):
        r = act(client, login("officer"), loan.id, "repay", {"amount": "2400.00", "date": "2026-03-18"})
        assert r.status_code == 200, r.json
        assert (r.json["advance"], r.json["due_now"], r.json["payoff"]) == ("2400.00", "0.00", "9600.00")
        assert r.json["outstanding_principal"] == "12000.00"
    with on_day("2026-03-23"):
        data = client.get(f"/api/v1/loans/{loan.id}", headers=login("clerk")).json
        schedule = client.get(f"/api/v1/loans/{loan.id}/schedule", headers=login("clerk")).json
        html = page_as("clerk").get(f"/loans/{loan.id}").get_data(as_text=True)
    assert (data["state"], data["due_now"], data["overdue_days"], data["advance"]) == (
        "disbursed",
        "0.00",
        0,
        "0.00",
    )
    assert data["due_now_breakdown"]["penalty"] == "0.00"
    assert (schedule["revision"], schedule["cause"]) == (0, "disbursement")
    first = schedule["lines"][0]
    assert (first["principal"], first["paid"], first["still_due"]) == ("2400.00", "2400.00", "0.00")
    assert [x["principal"] for x in schedule["lines"]] == ["2400.00"] * 5
    text = page_text(html)
    assert "逾期" not in text  # neither the state nor a days-overdue figure
    assert "2,400.00 2,400.00 0.00" in text  # line 1: the household's due, paid, still due


def test_the_schedule_page_and_receipt_show_the_plan_in_force_after_a_100_prepayment(
    app, client, login, funded, page_as, monkeypatch
):
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)
    loan = disbursed_loan(funded, "30000.00", 24, date(2026, 11, 30))
    with on_day("2026-11-30"):
        body = {"amount": "100.00", "date": "2026-11-30", "prepay": True}
        r = act(client, login("officer"), loan.id, "repay", body)
        assert r.status_code == 200, r.json
        assert (r.json["payoff"], r.json["plan_revision"]) == ("29900.00", 1)
        schedule = client.get(f"/api/v1/loans/{loan.id}/schedule", headers=login("clerk")).json
        first = client.get(f"/api/v1/loans/{loan.id}/schedule?revision=0", headers=login("clerk")).json
        missing = client.get(f"/api/v1/loans/{loan.id}/schedule?revision=7", headers=login("clerk"))
        html = page_text(page_as("clerk").get(f"/loans/{loan.id}").get_data(as_text=True))
        old_html = page_text(page_as("clerk").get(f"/loans/{loan.id}?revision=0").get_data(as_text=True))
        got = receipts(client, login("clerk"), loan.id)
        pdf = pdf_text(client.get(got[-1]["download"], headers=login("clerk")).data)
    assert (schedule["revision"], schedule["cause"], schedule["in_force"]) == (1, "prepayment", True)
    assert [x["interest"] for x in schedule["lines"][:2]] == ["58.14", "261.63"]
    assert schedule["lines"][-1]["principal"] == "29900.00"
    assert [(r["number"], r["cause"]) for r in schedule["revisions"]] == [
        (0, "disbursement"),
        (1, "prepayment"),
    ]
    assert (first["in_force"], first["lines"][-1]["principal"]) == (False, "30000.00")
    assert [x["interest"] for x in first["lines"][:2]] == ["58.33", "262.50"]
    assert missing.status_code == 404
    assert "58.14" in html and "261.63" in html and "29,900.00" in html and "58.33" not in html
    assert "58.33" in old_html and "262.50" in old_html
    assert [x["version"] for x in got] == [1, 2]  # the 借据 of the new revision was issued
    assert "J1" in pdf and "提前还款" in pdf and "58.14" in pdf and "261.63" in pdf and "29,900.00" in pdf
    assert "58.33" not in pdf


def test_the_claim_is_decided_by_the_county_through_the_api_and_recoveries_pay_the_fund_principal_only(
    client, login, funded
):
    loan = disbursed_loan(funded, "10000.00", 12, date(2026, 3, 10))
    with on_day("2026-04-01"):
        assert act(client, login("officer"), loan.id, "recall", {"reason": "挪用于建房"}).status_code == 200
    with on_day("2026-06-30"):
        r = act(client, login("officer"), loan.id, "claim-compensation", {})
        assert (r.status_code, list(r.json["errors"])) == (422, ["note"])
        r = act(client, login("officer"), loan.id, "claim-compensation", {"note": "三次上门催收"})
        assert (r.status_code, r.json["state"], r.json["stage_due_on"]) == (
            200,
            "compensation_claimed",
            "2026-07-14",
        )
        assert r.json["claim"]["note"] == "三次上门催收" and r.json["allowed_actions"] == []
        assert act(client, login("officer"), loan.id, "approve-compensation", {}).status_code == 403
        assert act(client, login("approver"), loan.id, "approve-compensation", {}).status_code == 403
        r = act(client, login("approver2"), loan.id, "refuse-compensation", {"reason": "未上门走访"})
        assert (r.status_code, r.json["state"], r.json["claim"]["refusal_reason"]) == (
            200,
            "recalled",
            "未上门走访",
        )
        act(client, login("officer"), loan.id, "claim-compensation", {"note": "补充：上门走访三次"})
        r = act(client, login("approver2"), loan.id, "approve-compensation", {})
        assert (r.status_code, r.json["state"]) == (200, "compensated")
    with on_day("2026-08-03"):
        r = act(client, login("officer"), loan.id, "recover", {"amount": "10112.50"})
        assert r.status_code == 200, r.json
    entries = db.session.execute(select(FundEntry.kind, FundEntry.amount).order_by(FundEntry.id)).all()
    assert [(k, str(a)) for k, a in entries][1:] == [("payout", "8000.00"), ("recovery", "8000.00")]


def test_a_reversal_of_a_repayment_before_the_compensation_is_a_409_saying_why(client, login, funded):
    loan = disbursed_loan(funded, "10000.00", 12, date(2026, 3, 10))
    with on_day("2027-04-01"):
        r = act(client, login("officer"), loan.id, "repay", {"amount": "4000.00"})
        repayment_id = client.get(f"/api/v1/loans/{loan.id}/repayments", headers=login("officer")).json[
            "items"
        ][0]["id"]
    with on_day("2027-06-08"):
        run_sweep()  # the daily sweep stores the overdue state
        uow.commit()
        r = act(client, login("officer"), loan.id, "claim-compensation", {"note": "上门催收三次"})
        assert r.status_code == 200, r.json
        r = act(client, login("approver2"), loan.id, "approve-compensation", {})
        assert r.status_code == 200, r.json
    with on_day("2027-06-09"):
        body = {"repayment_id": repayment_id, "reason": "金额录错"}
        r = act(client, login("officer2"), loan.id, "reverse-repayment", body)
    assert r.status_code == 409
    assert "代偿" in r.json["detail"]
    assert reload(loan).principal_outstanding.to_eng_string() == "6027.50"


def test_decline_extension_through_the_api_needs_a_reason_and_clears_the_request(client, login, funded):
    loan = disbursed_loan(funded, "10000.00", 12, date(2026, 3, 10))
    with on_day("2027-01-10"):
        body = {"months": 6, "reason": "牛价下跌"}
        assert act(client, login("clerk"), loan.id, "request-extension", body).status_code == 200
        r = act(client, login("officer"), loan.id, "decline-extension", {})
        assert (r.status_code, list(r.json["errors"])) == (422, ["reason"])
        assert act(client, login("clerk"), loan.id, "decline-extension", {"reason": "x"}).status_code == 403
        r = act(client, login("officer"), loan.id, "decline-extension", {"reason": "经营正常"})
    assert r.status_code == 200, r.json
    assert r.json["extension"]["requested_months"] is None
    assert (r.json["extension"]["declined_reason"], r.json["stage_due_on"]) == ("经营正常", None)


@pytest.mark.parametrize("term", [6, 13])
def test_the_agreement_pdf_promises_the_six_months_the_rules_allow(
    app, client, login, funded, monkeypatch, term
):
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)
    loan = disbursed_loan(funded, "10000.00", term, date(2026, 3, 10))
    items = client.get(f"/api/v1/loans/{loan.id}/documents", headers=login("clerk")).json["items"]
    agreement = next(x for x in items if x["kind"] == "loan_agreement")
    text = pdf_text(client.get(agreement["download"], headers=login("clerk")).data)
    assert "展期期限不超过6个月" in text and "不超过12个月" not in text
