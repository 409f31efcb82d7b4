"""Loan pages: a clerk applies from a household, officers rate, credit and disburse through forms."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import FundEntry, Loan
from loanflow.web.testing.fixtures import field_errors, input_value

SCORES = {
    "scores.household_size": "8",
    "scores.workers": "12",
    "scores.assets": "10",
    "scores.net_income": "15",
    "scores.integrity": "20",
    "scores.repayment_record": "10",
}  # 75 points: ★★★, limit 30,000


@pytest.fixture(autouse=True)
def _fund(demo, users):
    """The county's risk fund holds a deposit, so new credit is within its leverage."""
    admin = users["admin"]
    db.session.add(
        FundEntry(
            county_code="341503",
            kind="deposit",
            amount=Decimal("1000000.00"),
            entry_date=date(2026, 1, 5),
            recorded_by_id=admin.id,
            recorded_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
        )
    )
    db.session.commit()


def _household() -> Household:
    return db.session.query(Household).filter(Household.village_code == "341503001001").first()


def _apply(clerk, h: Household, **changes):
    data = {
        "borrower_id_number": h.head.id_number,
        "amount": "30000",
        "term_months": "12",
        "purpose": "livestock",
        "purpose_detail": "养牛 5 头",
        "consent": "yes",
    }
    data.update(changes)
    return clerk.post(f"/households/{h.id}/loans/new", data=data)


def test_a_clerk_applies_for_a_loan_from_the_households_page(page_as):
    clerk, h = page_as("clerk"), _household()
    assert "申请贷款" in clerk.get(f"/households/{h.id}").get_data(as_text=True)
    r = _apply(clerk, h)
    assert r.status_code == 302
    html = clerk.get(r.headers["Location"]).get_data(as_text=True)
    assert "已申请" in html and "30,000.00" in html and h.head.name in html
    assert 'id="action-withdraw"' in html and 'id="action-rate"' not in html


def test_an_application_without_consent_is_refused_beside_the_box_and_kept(page_as):
    clerk, h = page_as("clerk"), _household()
    r = _apply(clerk, h, consent="", amount="60000")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_errors(html, "consent") and field_errors(html, "amount")
    assert input_value(html, "amount") == "60000" and input_value(html, "purpose_detail") == "养牛 5 头"
    assert db.session.query(Loan).count() == 0


def test_an_officer_rates_credits_and_a_second_officer_disburses(page_as):
    clerk, officer, officer2, h = page_as("clerk"), page_as("officer"), page_as("officer2"), _household()
    loan_url = _apply(clerk, h).headers["Location"]
    loan_id = int(loan_url.rsplit("/", 1)[1])
    queue = officer.get("/").get_data(as_text=True)
    assert loan_url in queue and "评级" in queue
    assert officer.post(f"/loans/{loan_id}/rate", data=SCORES).status_code == 302
    html = officer.get(loan_url).get_data(as_text=True)
    assert "已评级" in html and "75" in html and 'id="action-credit"' in html
    assert (
        officer.post(f"/loans/{loan_id}/credit", data={"amount": "30000", "term_months": "12"}).status_code
        == 302
    )
    html = officer.get(loan_url).get_data(as_text=True)
    assert "已授信" in html and 'id="action-disburse"' not in html  # four eyes: not who credited
    assert f"/loans/{loan_id}/" not in officer.get("/").get_data(as_text=True)
    assert officer2.post(f"/loans/{loan_id}/disburse", data={"date": "2026-03-10"}).status_code == 302
    html = officer2.get(loan_url).get_data(as_text=True)
    assert "已放款" in html and "还款计划" in html and "2027-03-10" in html


def test_a_score_above_the_items_maximum_is_named_and_the_scores_stay(page_as):
    clerk, officer, h = page_as("clerk"), page_as("officer"), _household()
    loan_id = int(_apply(clerk, h).headers["Location"].rsplit("/", 1)[1])
    r = officer.post(f"/loans/{loan_id}/rate", data={**SCORES, "scores.integrity": "30"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "超过该项满分 25 分" in field_errors(html, "scores.integrity")[0]
    assert input_value(html, "scores.integrity") == "30" and input_value(html, "scores.workers") == "12"
    assert re.search(r'id="action-rate" open', html)


def test_refusals_are_pages_with_their_status_never_a_500(page_as):
    clerk, officer, h = page_as("clerk"), page_as("officer"), _household()
    loan_id = int(_apply(clerk, h).headers["Location"].rsplit("/", 1)[1])
    r = clerk.post(f"/loans/{loan_id}/rate", data=SCORES)
    assert r.status_code == 403 and "只有信贷员可以办理此操作" in r.get_data(as_text=True)
    officer.post(f"/loans/{loan_id}/rate", data=SCORES)
    r = officer.post(f"/loans/{loan_id}/rate", data=SCORES)
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "当前可以进行的操作" in html and "授信" in html
    assert page_as("officer3").get(f"/loans/{loan_id}").status_code == 404
    assert officer.post(f"/loans/{loan_id}/no-such-action").status_code == 404


def test_the_loan_list_filters_by_state_and_masks_identity(page_as):
    clerk, h = page_as("clerk"), _household()
    _apply(clerk, h)
    html = page_as("supervisor").get("/loans?state=applied").get_data(as_text=True)
    assert h.head.name in html and h.head.id_number not in html
    assert h.head.id_number[:6] + "********" + h.head.id_number[-4:] in html
    assert h.head.name not in page_as("supervisor").get("/loans?state=rated").get_data(as_text=True)


def test_a_repayment_is_recorded_with_its_errors_named_and_reversed_by_another_officer(page_as):
    clerk, officer, officer2, h = page_as("clerk"), page_as("officer"), page_as("officer2"), _household()
    loan_id = int(_apply(clerk, h).headers["Location"].rsplit("/", 1)[1])
    officer.post(f"/loans/{loan_id}/rate", data=SCORES)
    officer.post(f"/loans/{loan_id}/credit", data={"amount": "30000", "term_months": "12"})
    officer2.post(f"/loans/{loan_id}/disburse", data={"date": "2026-03-10"})
    r = officer.post(f"/loans/{loan_id}/repay", data={"amount": "-5", "date": "2026-03-10"})
    assert r.status_code == 422 and field_errors(r.get_data(as_text=True), "amount")
    assert input_value(r.get_data(as_text=True), "amount") == "-5"
    assert (
        officer.post(f"/loans/{loan_id}/repay", data={"amount": "100", "date": "2026-03-10"}).status_code
        == 302
    )
    html = officer.get(f"/loans/{loan_id}").get_data(as_text=True)
    assert "还款记录" in html and "100.00" in html and "当前应还" in html
    assert 'id="action-reverse-repayment"' not in html  # not by who recorded it
    html = officer2.get(f"/loans/{loan_id}").get_data(as_text=True)
    repayment_id = re.search(
        r'name="repayment_id">\s*<option value="">—</option>\s*<option value="(\d+)"', html
    ).group(1)
    r = officer2.post(
        f"/loans/{loan_id}/reverse-repayment", data={"repayment_id": repayment_id, "reason": "金额录错"}
    )
    assert r.status_code == 302
    assert "已冲正" in officer2.get(f"/loans/{loan_id}").get_data(as_text=True)


def test_a_clerk_prints_a_receipt_for_the_household_and_finds_it_on_the_case_page(page_as):
    clerk, h = page_as("clerk"), _household()
    loan_url = _apply(clerk, h).headers["Location"]
    html = clerk.get(loan_url).get_data(as_text=True)
    assert "尚未出具文书" in html and "为农户打印回执" in html
    loan_id = int(loan_url.rsplit("/", 1)[1])
    printed = clerk.post(f"/documents/loan/{loan_id}/receipt")
    assert printed.status_code == 302
    pdf = clerk.get(printed.headers["Location"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    html = clerk.get(loan_url).get_data(as_text=True)
    assert "回执" in html and printed.headers["Location"] in html
    # another village's clerk cannot fetch it
    assert page_as("clerk2").get(printed.headers["Location"]).status_code == 404
