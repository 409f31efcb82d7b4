"""A clerk's day in a real browser: the form's errors at once, the ID-tail search, the register import
(a dry run with a bad cell, then the import with its progress), the home and the policy terms.

Screenshots of each page at 1366×768 and at phone width (``$LOANFLOW_SCREENSHOTS``)."""

from __future__ import annotations

import os

from loanflow.extensions import db
from loanflow.households.models import Member
from loanflow.households.testing.register_sheets import member_rows, xlsx_bytes
from loanflow.web.testing.browser import fits_the_window, follow, log_in, screenshot

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def shoot(page, shots: str, name: str) -> None:
    screenshot(page, os.path.join(shots, f"{name}.png"))
    assert fits_the_window(page), name


def test_the_household_form_shows_every_error_at_once(open_page, shots):
    for size, (w, h) in SIZES.items():
        page = open_page(width=w, height=h)
        log_in(page, "clerk")
        page.goto("/households/new")
        assert page.locator("select[name=village_code] option:checked").inner_text().startswith("南冲村") or (
            page.locator("select[name=village_code] optgroup").count() == 1
        )
        page.fill("input[name=bank_account]", "6217000000000000001")
        page.fill("input[name='members[0].name']", "钱春花")
        page.fill("input[name='members[0].id_number']", "110105194912310021")
        page.fill("input[name='members[0].phone']", "2391234567")
        page.fill("input[name='members[1].name']", "钱小花")  # no relation, no ID number, no reason
        follow(page, "main button[type=submit]")
        for field in ("income_per_head", "bank_name", "members[1].relation", "members[1].no_id_reason"):
            assert page.locator(f"[id='err-{field}']").count() == 1, field
        assert page.locator("[id='err-members[0].phone']").count() == 1
        assert "校验" in page.locator("[id='err-members[0].id_number']").inner_text()
        assert "Luhn" in page.locator("[id='err-bank_account']").inner_text()
        shoot(page, shots, f"register-errors-{size}")


def test_a_clerk_finds_a_household_by_the_last_digits_of_an_id_number(open_page, shots):
    m = db.session.query(Member).filter(Member.id_number.is_not(None)).order_by(Member.id).first()
    tail, household_id = m.id_number[-4:], m.household_id
    for size, (w, h) in SIZES.items():
        page = open_page(width=w, height=h)
        log_in(page, "clerk")
        page.goto("/households")
        page.fill("input[name=q]", tail)
        follow(page, "form.search button")
        assert page.locator(f"table.list a[href='/households/{household_id}']").count() >= 1
        assert "共" in page.locator("main").inner_text()
        shoot(page, shots, f"households-search-{size}")


def test_the_import_dry_run_marks_a_bad_cell_then_the_import_shows_its_progress(_app, open_page, shots):
    rows = member_rows(6, "341503001001", start=800)
    bad = [dict(r) for r in rows]
    bad[1]["劳动力状况"] = "很强"
    _app.config["HOUSEHOLD_IMPORT_SYNC_ROWS"] = 5  # a "big" file: a background job
    try:
        page = open_page(width=1366, height=768)
        log_in(page, "clerk")
        page.goto("/households")
        follow(page, "text=批量导入农户")
        assert page.title().startswith("批量导入农户 ·"), page.title()  # no markup in the tab's title
        shoot(page, shots, "import-desktop")
        page.set_input_files(
            "input[name=file]", {"name": "花名册.xlsx", "mimeType": XLSX, "buffer": xlsx_bytes(bad)}
        )
        page.click("main form button[type=submit]")
        page.wait_for_selector("table.import-errors")
        cells = page.locator("table.import-errors tbody tr").first.locator("td").all_inner_texts()
        assert cells[:2] == ["3", "劳动力状况"] and "很强" in cells[2]
        with page.expect_download() as download:
            page.click("text=下载标出错误单元格的表格")
        assert download.value.suggested_filename == "import-check.xlsx"
        shoot(page, shots, "import-dry-run-bad-desktop")
        page.goto("/households/import")
        page.set_input_files(
            "input[name=file]", {"name": "花名册.xlsx", "mimeType": XLSX, "buffer": xlsx_bytes(rows)}
        )
        page.click("main form button[type=submit]")
        page.wait_for_selector("text=导入这 6 户")
        assert page.locator("progress#job-bar").count() == 1
        shoot(page, shots, "import-checked-desktop")  # the dry-run job's page: its report, the import button
        phone = open_page(width=390, height=844)
        log_in(phone, "clerk")
        phone.goto(page.url)
        assert phone.locator("progress#job-bar").count() == 1
        assert phone.locator("text=导入这 6 户").is_visible()
        shoot(phone, shots, "import-checked-phone")
        page.click("text=导入这 6 户")
        page.wait_for_selector("text=已导入 6 户。")
        bar = page.locator("progress#job-bar")
        assert bar.get_attribute("value") == bar.get_attribute("max")  # the bar is full
        shoot(page, shots, "import-done-desktop")
        phone.goto(page.url)
        shoot(phone, shots, "import-done-phone")
        phone.goto("/households/import")
        assert phone.locator("label[for=register-file].button").is_visible()  # our file button, in view
        shoot(phone, shots, "import-phone")
        phone.set_input_files(
            "input[name=file]", {"name": "花名册.xlsx", "mimeType": XLSX, "buffer": xlsx_bytes(bad)}
        )
        phone.click("main form button[type=submit]")
        phone.wait_for_selector("table.import-errors")
        shoot(phone, shots, "import-dry-run-bad-phone")
    finally:
        _app.config["HOUSEHOLD_IMPORT_SYNC_ROWS"] = 1000


def test_the_clerks_home_and_the_policy_terms(open_page, shots):
    for size, (w, h) in SIZES.items():
        page = open_page(width=w, height=h)
        log_in(page, "clerk")
        page.goto("/")
        shoot(page, shots, f"home-{size}")
        page.goto("/policy/terms")
        assert "政策条款" in page.locator("h1").inner_text()
        shoot(page, shots, f"policy-terms-{size}")
