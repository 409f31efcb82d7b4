"""The admin at work in a real browser: an officer for the branch with a dead end, a policy with a
changed rate, the 2027 calendar; every admin page looked at on a desktop (1366×768) and a phone."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.calendar.models import CalendarYear
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import drive, fill_fund, fresh_households, open_loan
from loanflow.loans.workflow import allowed_actions
from loanflow.web.testing.browser import fits_the_window, follow, screenshot

DAY = "2026-12-24"  # a credited loan's 7 working days then reach into 2027, a year not yet published
RATE = "loan.rates[4].rate"
NOTICE_2027 = """一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（农历腊月三十、周六）至12日（周五）放假调休，共7天。2月13日（周六）、2月14日（周日）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。"""
DESKTOP, PHONE = (1366, 768), (390, 844)


@pytest.fixture
def dead_end(app, users):
    """The demo's dead end (DK-2026-000006 in the full demo): a loan of township B credited by
    officer3, the only officer of branch B, whom four eyes forbid to disburse it."""
    app.config["LOANFLOW_TODAY"] = DAY  # the app fixture puts the configuration back afterwards
    fill_fund(users)
    loan = open_loan(users["clerk2"], fresh_households(users["clerk2"].region_code)[0])
    loan = drive(loan, "credited", officer=users["officer3"])
    assert loan.stage_due_provisional and loan.stage_due_on.year == 2027
    assert "disburse" not in allowed_actions(users["officer3"], loan)
    return loan.case_number


def admin_logs_in(page) -> None:
    page.goto("/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "demo-password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin")


def shoot(page, shots: str, name: str) -> None:
    """The page at both widths, whole; at the phone's width it must fit."""
    for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size({"width": width, "height": height})
        assert fits_the_window(page), f"{name} overflows at {width}px"
        screenshot(page, os.path.join(shots, f"{name}-{label}.png"))
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})


def test_the_admin_unblocks_branch_b_publishes_a_rate_and_enters_2027(open_page, shots, dead_end):
    page = open_page(*DESKTOP)
    admin_logs_in(page)
    assert "2027" in page.locator("#provisional-years").inner_text()
    assert "韩摆渡支行" in page.locator("#branches-with-one-officer").inner_text()
    shoot(page, shots, "home")

    # an officer for branch B: the dead end then has someone who may disburse it
    follow(page, "nav >> text=用户")
    shoot(page, shots, "users")
    page.click("text=新建用户")
    page.fill("input[name=username]", "officer4")
    page.fill("input[name=full_name]", "孙信贷")
    page.select_option("select[name=role]", "bank_officer")
    page.select_option("select[name=region_code]", "341503")
    page.select_option("select[name=branch_id]", label="裕安农商银行韩摆渡支行")
    page.fill("input[name=password]", "1234567890")
    follow(page, "main form button[type=submit]")
    assert "最常见的密码" in page.locator("#err-password").inner_text()
    shoot(page, shots, "user-new-error")
    page.fill("input[name=password]", "Tea-garden-2026")
    follow(page, "main form button[type=submit]")
    assert "已创建用户 officer4" in page.locator(".flash.ok").inner_text()
    db.session.close()
    officer4 = db.session.scalar(select(User).where(User.username == "officer4"))
    loan = db.session.scalar(select(Loan).where(Loan.case_number == dead_end))
    assert "disburse" in allowed_actions(officer4, loan)
    db.session.close()  # the server writes next: hold no transaction open meanwhile
    follow(page, "table.list >> text=officer4")
    assert page.locator("h1").inner_text().startswith("用户 officer4")
    shoot(page, shots, "user-edit")

    # a policy version with one rate changed: the comparison shows exactly that change
    follow(page, "nav >> text=政策参数")
    shoot(page, shots, "policy")
    page.click("text=新版本")
    page.fill(f"input[name='{RATE}']", "0.0290")
    page.fill("input[name=note]", "2026 年 LPR 下调")
    follow(page, "button[value=preview]")
    assert page.locator("#preview tr.changed").count() == 1
    shoot(page, shots, "policy-preview")
    page.click("button[value=publish]")
    page.wait_for_url("**/policy/compare?a=1&b=2")
    rows = page.locator("#changes tr.changed")
    assert rows.count() == 1 and rows.first.get_attribute("data-path") == RATE
    assert "0.0300" in rows.first.inner_text() and "0.0290" in rows.first.inner_text()
    shoot(page, shots, "policy-compare")
    page.goto("/policy/versions")
    shoot(page, shots, "policy-versions")

    # the 2027 calendar from the State Council's notice: the provisional deadline firms up
    follow(page, "nav >> text=节假日")
    shoot(page, shots, "calendar")
    page.goto("/calendar/2027")
    page.fill("textarea[name=notice]", NOTICE_2027)
    follow(page, "main form button[type=submit]")
    assert "2027 年已录入：放假 26 天，调休上班 6 天。" in page.locator("#entered").inner_text()
    shoot(page, shots, "calendar-2027-entered")
    db.session.close()
    assert db.session.get(CalendarYear, 2027) is not None
    assert not db.session.scalar(select(Loan).where(Loan.case_number == dead_end)).stage_due_provisional
    db.session.close()
    page.goto("/admin")
    assert "2027" not in page.locator("#provisional-years").inner_text()
    assert page.locator("#branches-with-one-officer").count() == 0  # officer4 joined officer3

    for path, name in (("/admin/regions", "regions"), ("/admin/branches", "branches"), ("/fund", "fund")):
        page.goto(path)
        shoot(page, shots, name)

    # the new officer's first login leads to the password change
    officer = open_page(*DESKTOP)
    officer.goto("/login")
    officer.fill("input[name=username]", "officer4")
    officer.fill("input[name=password]", "Tea-garden-2026")
    officer.click("main button[type=submit]")
    officer.wait_for_url("**/password")
    assert "您的密码由管理员设置" in officer.locator(".flash.warn").inner_text()
    shoot(officer, shots, "password-change")
    officer.fill("input[name=current_password]", "Tea-garden-2026")
    officer.fill("input[name=new_password]", "Kiwi-orchard-2027")
    officer.fill("input[name=confirm_password]", "Kiwi-orchard-2027")
    officer.click("main button[type=submit]")
    officer.wait_for_url("**/")
    assert "密码已修改" in officer.locator(".flash.ok").inner_text()


def test_a_broken_audit_chain_stands_out_in_red_on_the_admins_home(app, open_page, shots):
    """The last verification found an edited event: the card says where, in red, at both widths."""
    from tests.audit.test_audit import _tamper

    _tamper("UPDATE audit_event SET actor = 'someone' WHERE seq = 3 AND chain = '341503'")
    assert app.test_cli_runner().invoke(args=["loanflow", "verify-audit"]).exit_code == 1
    page = open_page(*DESKTOP)
    admin_logs_in(page)
    broken = page.locator("#audit-check #broken-link")
    assert "链 341503，第 3 个事件（内容被改动）" in broken.inner_text()
    assert broken.evaluate("e => getComputedStyle(e).color") == "rgb(179, 38, 30)"  # --bad
    assert "由系统通过命令行执行" in page.locator("#last-verification").inner_text()
    page.locator("#audit-check").scroll_into_view_if_needed()
    shoot(page, shots, "admin-home-broken-audit")
