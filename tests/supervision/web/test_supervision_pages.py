"""The supervision pages: the supervisor starts on the summary, presses from the queue, draws a sample,
verifies the audit trail; a dead end's page tells who cannot act why."""

from __future__ import annotations

from datetime import date

import pytest

from loanflow.core.clock import business_date
from loanflow.loans.testing.factories import deposit, drive, fresh_households, open_loan

pytestmark = pytest.mark.bare_demo


@pytest.fixture
def cases(demo, users):
    deposit("341503", "1000000.00", date(2025, 12, 1))
    with business_date(date(2026, 2, 2)):
        late = drive(
            open_loan(users["clerk"], fresh_households(users["clerk"].region_code)[0]),
            "rated",
            officer=users["officer"],
        )
    dead = drive(
        open_loan(users["clerk2"], fresh_households(users["clerk2"].region_code)[0]),
        "credited",
        officer=users["officer3"],
    )
    return {"late": late, "dead": dead}


def test_the_supervisor_starts_on_the_summary_with_the_supervision_menu(page_as, cases):
    page = page_as("supervisor")
    r = page.get("/")
    assert r.status_code == 302 and r.location.endswith("/supervision")
    html = page.get("/supervision").get_data(as_text=True)
    assert 'id="n-stalled">1<' in html and 'id="n-dead">1<' in html
    assert cases["dead"].case_number in html and "须由本网点另一名信贷员放款，本网点目前没有" in html
    for entry in (
        "/supervision/stalled",
        "/supervision/presses",
        "/supervision/spot-checks",
        "/supervision/flags",
    ):
        assert f'href="{entry}"' in html


def test_other_roles_keep_their_queue_and_get_no_supervision_menu_nor_pages(page_as, cases):
    page = page_as("officer")
    html = page.get("/").get_data(as_text=True)
    assert "/supervision/stalled" not in html
    assert page.get("/supervision/stalled").status_code == 403


def test_pressing_from_the_queue_shows_on_the_officers_queue_and_the_case_page(page_as, cases):
    sup = page_as("supervisor")
    html = sup.get("/supervision/stalled").get_data(as_text=True)
    assert cases["late"].case_number in html and "张信贷" in html
    url = f"/supervision/press/loan/{cases['late'].id}"
    assert sup.post(url, data={"note": ""}).status_code == 422
    r = sup.post(url, data={"note": "请本周内授信"})
    assert r.status_code == 302
    officer = page_as("officer").get("/").get_data(as_text=True)
    first_section = officer.split("<section>")[1]
    assert "请本周内授信" in first_section and cases["late"].case_number in first_section
    page = page_as("officer2").get(f"/loans/{cases['late'].id}").get_data(as_text=True)
    assert "督办" in page and "请本周内授信" in page and "已超期" in page


def test_the_dead_end_page_tells_the_officer_who_cannot_act_why(page_as, cases):
    html = page_as("officer3").get(f"/loans/{cases['dead'].id}").get_data(as_text=True)
    assert "此案件无人可以办理：须由本网点另一名信贷员放款，本网点目前没有" in html


def test_a_sample_is_drawn_and_a_finding_recorded_from_the_pages(page_as, cases):
    sup = page_as("supervisor")
    r = sup.post(
        "/supervision/spot-checks",
        data={
            "product": "loan",
            "opened_from": "2026-01-01",
            "opened_to": "2026-03-10",
            "size": "2",
            "seed": "7",
        },
    )
    assert r.status_code == 302
    sample_url = r.location
    assert 'id="progress"' in sup.get(sample_url).get_data(as_text=True)
    r = sup.post(
        sample_url, data={"case_type": "loan", "case_id": cases["late"].id, "result": "problem", "note": ""}
    )
    assert r.status_code == 422
    sup.post(
        sample_url,
        data={"case_type": "loan", "case_id": cases["late"].id, "result": "problem", "note": "缺签字"},
    )
    assert "缺签字" in sup.get(sample_url).get_data(as_text=True)
    bad = sup.post(
        "/supervision/spot-checks", data={"product": "loan", "opened_from": "x", "opened_to": "", "size": ""}
    )
    assert bad.status_code == 422


def test_the_flags_and_the_audit_pages_verify_and_search(page_as, cases):
    sup = page_as("supervisor")
    assert cases["dead"].case_number in sup.get("/supervision/flags").get_data(as_text=True)
    html = sup.post("/supervision/audit").get_data(as_text=True)
    assert 'id="verification"' in html and "flash ok" in html
    html = sup.get(f"/supervision/audit?entity=loan&entity_id={cases['late'].id}").get_data(as_text=True)
    assert "张信贷" in html and "state: applied → rated" in html


def test_the_stalled_queue_exports_from_the_page(page_as, cases):
    r = page_as("supervisor").get("/supervision/stalled.xlsx?product=loan")
    assert r.status_code == 200 and r.data[:2] == b"PK" and r.mimetype.endswith("spreadsheetml.sheet")


def test_the_stalled_queue_speaks_english_on_request(page_as, cases):
    page = page_as("supervisor")
    assert "<h1>Stalled cases</h1>" in page.get("/supervision/stalled?lang=en").get_data(as_text=True)
    html = page.get("/supervision?lang=en").get_data(as_text=True)
    assert "Another bank loan officer of the branch must disburse; the branch has none" in html
