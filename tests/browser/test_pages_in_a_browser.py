"""A clerk and a bank officer at work in a real browser (Chinese pages, a phone and a desktop)."""

from __future__ import annotations

import os
import random
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from loanflow.core import uow
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.households.testing.factories import demo_card
from loanflow.loans.models import FundEntry
from loanflow.web.testing.browser import fits_the_window, follow, log_in, screenshot

ID_NUMBER = "11010519491231002X"


def test_a_clerk_registers_a_household_on_a_phone_and_finds_it_masked(open_page, shots):
    page = open_page(width=390, height=844)
    page.goto("/login")
    assert page.locator("h1").inner_text() == "登录"
    page.screenshot(path=os.path.join(shots, "login-phone.png"))
    log_in(page, "clerk")
    follow(page, "text=农户")
    page.click("text=登记农户")
    page.select_option("select[name=village_code]", "341503001001")
    page.fill("input[name=address]", "2组8号")
    page.select_option("select[name=attribute]", "dibao")
    page.select_option("select[name=main_cause]", "illness")
    page.fill("input[name=income_per_head]", "4,200")
    page.fill("input[name=bank_account]", demo_card(random.Random(11)))
    page.fill("input[name=bank_name]", "裕安区农村商业银行")
    page.fill("input[name='members[0].name']", "钱春花")
    page.fill("input[name='members[0].id_number']", ID_NUMBER[:-1] + "1")  # wrong check character
    page.select_option("select[name='members[0].relation']", "head")
    follow(page, "main button[type=submit]")
    error = page.locator("#err-members\\[0\\]\\.id_number")
    assert "校验" in error.inner_text()
    assert page.input_value("input[name='members[0].name']") == "钱春花"
    screenshot(page, os.path.join(shots, "register-error-phone.png"))
    assert fits_the_window(page)
    page.fill("input[name='members[0].id_number']", ID_NUMBER)
    follow(page, "main button[type=submit]")
    assert page.locator(".flash.ok").inner_text() == "农户已登记。"
    assert ID_NUMBER in page.content()
    screenshot(page, os.path.join(shots, "household-phone.png"))
    follow(page, "nav >> text=农户")
    page.fill("input[name=q]", "钱春花")
    follow(page, "form.search button")
    row = page.locator("table.list tbody tr").first
    assert "110105********002X" in row.inner_text() and ID_NUMBER not in page.content()
    screenshot(page, os.path.join(shots, "households-phone.png"))
    follow(page, "text=English")
    assert page.locator("h1").inner_text() == "Households"
    assert "110105********002X" in page.locator("table.list tbody tr").first.inner_text()
    screenshot(page, os.path.join(shots, "households-phone-en.png"))


@pytest.fixture
def applied_loan(users):
    """A loan the clerk opened for a household of their village, waiting to be rated."""
    from loanflow.loans.services.apply import apply_for_loan

    db.session.add(
        FundEntry(
            county_code="341503",
            kind="deposit",
            amount=Decimal("1000000.00"),
            entry_date=date(2026, 1, 5),
            recorded_by_id=users["admin"].id,
            recorded_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
        )
    )
    db.session.commit()
    h = db.session.query(Household).filter(Household.village_code == "341503001001").first()
    data = {
        "household_id": h.id,
        "borrower_id_number": h.head.id_number,
        "amount": Decimal("30000"),
        "term_months": 12,
        "purpose": "planting",
        "purpose_detail": "种植茶叶 10 亩",
        "consent": True,
    }
    case_number = apply_for_loan(users["clerk"], data).case_number
    uow.commit()  # the server reads it in its own sessions
    return case_number


def test_a_bank_officer_rates_and_credits_a_loan_from_the_queue(open_page, shots, applied_loan):
    page = open_page(width=1280)
    log_in(page, "officer")
    screenshot(page, os.path.join(shots, "queue-desktop.png"))
    follow(page, f"text={applied_loan}")
    page.click("#action-rate summary")
    for code, points in {
        "household_size": 8,
        "workers": 12,
        "assets": 10,
        "net_income": 15,
        "integrity": 20,
        "repayment_record": 10,
    }.items():
        page.fill(f"input[name='scores.{code}']", str(points))
    screenshot(page, os.path.join(shots, "rate-desktop.png"))
    follow(page, "#action-rate button[type=submit]")
    assert "已评级" in page.locator("h1").inner_text()
    page.click("#action-credit summary")
    assert page.input_value("input[name=amount]") == "30000.00"
    follow(page, "#action-credit button[type=submit]")
    assert "已授信" in page.locator("h1").inner_text()
    assert page.locator("#action-disburse").count() == 0  # four eyes: another officer disburses
    screenshot(page, os.path.join(shots, "credited-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits_the_window(page)
    screenshot(page, os.path.join(shots, "credited-phone.png"))
