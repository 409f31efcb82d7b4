"""The officer's rating and the approver's 公示 list in a real browser: the running total and grade,
the print and the PDF, the whole list approved in one step, the queue's first rows and the whole
section they lead to (desktop 1366×768 and a phone)."""

from __future__ import annotations

import os
from datetime import date

import pytest

from loanflow.core import uow
from loanflow.core.clock import business_date
from loanflow.extensions import db
from loanflow.subsidies import publicity as publicity_service
from loanflow.subsidies import services as subsidy_services
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.queue import POSITION as SUBSIDY_QUEUE
from loanflow.subsidies.testing.factories import applied_cases, fresh_household
from loanflow.web.queue import HOME_ROWS
from loanflow.web.testing.browser import fits_the_window, follow, log_in, screenshot
from tests.browser.test_pages_in_a_browser import applied_loan  # noqa: F401

DESKTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


def _shot(page, shots, name: str) -> None:
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert fits_the_window(page), (name, label)
        screenshot(page, os.path.join(shots, f"{name}-{label}.png"))
    page.set_viewport_size(DESKTOP)


def test_the_rating_total_and_grade_follow_the_points_entered(open_page, shots, applied_loan):  # noqa: F811
    page = open_page(**DESKTOP)
    log_in(page, "officer")
    follow(page, f"text={applied_loan}")
    page.click("#action-rate summary")
    assert "家庭人口" in page.locator("#action-rate dl.household-facts").inner_text()
    total, grade = page.locator("#score-total"), page.locator("#score-grade")
    assert total.inner_text() == "0" and grade.inner_text() == "不具备信用资格"
    points = {"household_size": 8, "workers": 12, "assets": 10, "net_income": 15, "integrity": 20}
    for code, n in points.items():
        page.fill(f"input[name='scores.{code}']", str(n))
    assert total.inner_text() == "65" and grade.inner_text().startswith("★★ ·")
    page.fill("input[name='scores.repayment_record']", "10")
    assert total.inner_text() == "75" and grade.inner_text() == "★★★ · 限额 30,000.00 元"
    page.fill("input[name='scores.integrity']", "30")  # above the item's 25: not counted, marked
    assert total.inner_text() == "55" and page.locator("input.over").count() == 1
    page.fill("input[name='scores.integrity']", "20")
    _shot(page, shots, "rating-form")
    follow(page, "#action-rate button[type=submit]")
    assert "已评级" in page.locator("h1").inner_text()
    assert page.locator("strong.grade").inner_text() == "★★★"
    _shot(page, shots, "rated-loan")
    page.click("#action-credit summary")
    follow(page, "#action-credit button[type=submit]")
    others = page.locator("ul.others-may").inner_text()
    assert "放款" in others and "另一名信贷员（不能是 张信贷）" in others and "四眼原则" in others
    _shot(page, shots, "credited-waiting-on-another-officer")


@pytest.fixture
def posted_list(users):
    """Three verified cases of one village on one 公示 list; the third verified by the county approver."""
    ids = []
    for i, verifier in enumerate(("approver", "approver", "approver2")):
        h = fresh_household("341503001001", f"公示户{i}", account=f"62179912345678901{i:02d}")
        with business_date(date(2026, 3, 2)):
            case = subsidy_services.apply_for_subsidy(
                users["clerk"], {"household_id": h.id, "industry": "pig", "quantity": "3", "consent": True}
            )
            uow.commit()
            subsidy_services.verify_case(users[verifier], case.id, {"verified_quantity": "3", "note": "核验"})
            uow.commit()
        ids.append(case.id)
    with business_date(date(2026, 3, 2)):
        p = publicity_service.publicize_cases(users["approver"], ids[0], ids[1:])
        uow.commit()
    return p.id, p.approval_opens_on, ids


def test_the_publicity_list_prints_and_is_approved_in_one_step(open_page, shots, posted_list):
    publicity_id, opens, ids = posted_list
    expected = [db.session.get(SubsidyCase, i).case_number for i in ids]
    with business_date(opens):
        page = open_page(**DESKTOP)
        log_in(page, "approver2")
        page.click("nav >> text=公示")
        page.wait_for_url("**/publicity")
        assert page.locator("nav a[aria-current=page]").inner_text() == "公示"
        page.click(f"a[href='/publicity/{publicity_id}']")
        page.wait_for_url(f"**/publicity/{publicity_id}")
        page.wait_for_load_state()
        page.locator("button[data-print]").wait_for(
            state="visible", timeout=5000
        )  # shown once print.js has run
        pdf = page.request.get(f"/publicity/{publicity_id}/pdf")
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        numbers = page.locator("table.list tbody td.mono").all_inner_texts()
        assert numbers == expected
        page.emulate_media(media="print")
        assert not page.locator("header.top").is_visible() and not page.locator("#batch-approve").is_visible()
        _shot(page, shots, "publicity-print")  # the print view, on a desktop and on a phone
        page.set_viewport_size(PHONE)
        for number in expected:  # each case number whole in the page's width, nothing cut at the right
            box = page.locator(f"table.list td.mono >> text={number}").bounding_box()
            assert box["x"] + box["width"] <= PHONE["width"] + 1, number
        page.set_viewport_size(DESKTOP)
        page.emulate_media(media="screen")
        _shot(page, shots, "publicity-list")
        page.click("#batch-approve")
        page.wait_for_load_state()
        result = page.locator("#batch-result")
        result.wait_for()
        assert result.locator("li.ok").count() == 2 and result.locator("li.refused").count() == 1
        assert "四眼" in result.locator("li.refused").inner_text()
        assert "共 3 件，已办理 2 件。" in page.locator(".flash").inner_text()
        _shot(page, shots, "publicity-approved")
    db.session.expire_all()
    assert [db.session.get(SubsidyCase, i).state for i in ids] == ["approved", "approved", "publicized"]


@pytest.fixture
def officer_day(users):
    """An overdue loan (principal, penalty), a credited one waiting on another officer, an applied one."""
    from loanflow.loans.testing.factories import disbursed_loan, fill_fund, free_households, open_loan

    fill_fund(users, "1000000.00")
    homes = free_households()
    overdue = disbursed_loan(users, household=homes[0])
    with business_date(date(2026, 3, 10)):
        applied = open_loan(users["clerk"], homes[1], "20000.00")
    return overdue.id, applied.id


def test_the_touched_pages_fit_a_desktop_and_a_phone_in_chinese(open_page, shots, officer_day):
    overdue, applied = officer_day
    with business_date(date(2027, 5, 10)):
        page = open_page(**DESKTOP)
        log_in(page, "officer")
        for name, url in (
            ("queue", "/"),
            ("loans-sorted-filtered", "/loans?state=applied&sort=-amount"),
            ("loan-overdue", f"/loans/{overdue}"),
            ("claims", "/claims?quarter=2026Q2"),
            ("fund-officer", "/fund"),
        ):
            page.goto(url)
            assert page.locator("nav a[aria-current=page]").count() == 1, name
            for word in ("daily sweep", "system", "Total", "Grade", "Principal"):
                assert word not in page.locator("main").inner_text(), (name, word)
            _shot(page, shots, name)
        page.set_viewport_size(PHONE)
        page.goto("/")
        key = page.locator("table.queue thead th:last-child").first
        if key.count():
            box = key.bounding_box()
            assert box["x"] + box["width"] <= PHONE["width"] + 1  # 超期工作日 stays in view
        page = open_page(**DESKTOP)
        log_in(page, "approver")
        for name, url in (("subsidies-sorted", "/subsidies?sort=amount"), ("publicity-index", "/publicity")):
            page.goto(url)
            _shot(page, shots, name)
        page.goto("/subsidies?state=verified")
        follow(page, page.locator("table.list tbody a").first)
        page.click("#action-publicize summary")
        boxes = page.locator("input[name=case_ids]")
        if boxes.count():
            assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
            page.check("input[data-select-all]")
            assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
        _shot(page, shots, "publicize-form")


@pytest.fixture
def long_queue(demo):
    """More subsidy cases waiting on the county approver than the home shows of a section."""
    applied_cases(HOME_ROWS + 5)


def test_the_first_rows_shown_lead_to_the_whole_section(open_page, shots, long_queue):
    page = open_page(**DESKTOP)
    log_in(page, "approver2")
    section = page.locator("section").filter(has=page.locator("h2", has_text="待办产业奖补"))
    first = section.locator("table.queue tbody td:first-child").all_inner_texts()
    assert len(first) == HOME_ROWS
    assert f"显示最紧急的前 {HOME_ROWS} 条" in section.locator("p.queue-more").inner_text()
    _shot(page, shots, "queue-first-rows")
    section.locator("p.queue-more a").click()
    page.wait_for_url(f"**/queue/{SUBSIDY_QUEUE}")
    assert page.locator("h1").inner_text().startswith("待办产业奖补")
    whole = page.locator("table.queue tbody td:first-child").all_inner_texts()
    assert len(whole) >= HOME_ROWS + 5 and whole[:HOME_ROWS] == first  # the home's rows first, then the rest
    assert page.locator("nav a[aria-current=page]").inner_text() == "待办"
    _shot(page, shots, "queue-section")
