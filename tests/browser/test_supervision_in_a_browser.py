"""A supervisor presses a stalled loan; the officer who must act sees the press first, acts, and the
supervisor sees the press answered — in a real browser, on the Chinese pages."""

from __future__ import annotations

import os
from datetime import date

import pytest

from loanflow.core.clock import business_date
from loanflow.loans.testing.factories import deposit, fresh_households, open_loan
from loanflow.web.testing.browser import fits_the_window, follow, log_in, screenshot

pytestmark = pytest.mark.bare_demo

NOTE = "请于本周内完成评级"


@pytest.fixture
def stalled_loan(users) -> str:
    """A loan applied on 2 February in the clerk's village, never rated since (committed for the server)."""
    deposit("341503", "1000000.00", date(2025, 12, 1))
    with business_date(date(2026, 2, 2)):
        loan = open_loan(users["clerk"], fresh_households(users["clerk"].region_code)[0])
    return loan.case_number


def sign_in(page, username: str, lands_on: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-password")
    page.click("main button[type=submit]")
    page.wait_for_url(lands_on)


def test_a_press_reaches_the_officer_first_and_his_rating_answers_it(open_page, shots, stalled_loan):
    supervisor = open_page(width=1366, height=768)
    sign_in(supervisor, "supervisor", "**/supervision")
    follow(supervisor, "nav >> text=超期案件")
    row = supervisor.locator(f"tr[data-case='{stalled_loan}']")
    assert "张信贷" in row.inner_text() and "刘信贷" in row.inner_text()
    row.locator("text=督办").click()
    supervisor.fill("textarea[name=note]", NOTE)
    screenshot(supervisor, os.path.join(shots, "press-desktop.png"))
    follow(supervisor, "main button[type=submit]")
    assert stalled_loan in supervisor.locator(".flash.ok").inner_text()

    officer = open_page(width=390, height=844)
    log_in(officer, "officer")
    first = officer.locator("main section").first
    assert "督办" in first.locator("h2").inner_text()
    assert stalled_loan in first.inner_text() and NOTE in first.inner_text()
    screenshot(officer, os.path.join(shots, "pressed-queue-phone.png"))
    follow(officer, first.locator(f"text={stalled_loan}"))
    assert NOTE in officer.locator(".notice").all_inner_texts()[-1]
    officer.click("#action-rate summary")
    for code, points in {
        "household_size": 8,
        "workers": 12,
        "assets": 10,
        "net_income": 15,
        "integrity": 20,
        "repayment_record": 10,
    }.items():
        officer.fill(f"input[name='scores.{code}']", str(points))
    follow(officer, "#action-rate button[type=submit]")
    assert "已评级" in officer.locator("h1").inner_text()

    supervisor.goto("/supervision/presses")
    answer = supervisor.locator(f"tr[data-case='{stalled_loan}'] td.answer").inner_text()
    assert "张信贷" in answer and "评级" in answer
    screenshot(supervisor, os.path.join(shots, "press-answered-desktop.png"))
    supervisor.set_viewport_size({"width": 390, "height": 844})
    supervisor.goto("/supervision")
    assert supervisor.locator("#n-presses").inner_text() == "0"
    assert fits_the_window(supervisor)
    screenshot(supervisor, os.path.join(shots, "supervision-home-phone.png"))
