"""The dashboard page: every number in a table (usable without JavaScript), charts fed from a JSON block."""

from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook


def test_the_supervisor_finds_the_dashboard_in_the_menu_and_reads_the_tables(page_as, county):
    page = page_as("supervisor")
    home = page.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/supervision/dashboard"' in home
    r = page.get("/supervision/dashboard")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "督查看板" in html and "裕安区" in html
    for heading in ("各环节案件数", "各乡镇超期案件", "逾期贷款账龄", "获贷率"):
        assert heading in html, heading
    data = json.loads(
        re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)[1]
    )
    # each chart's numbers are in its table too
    for row in data["stalled_by_township"]:
        assert f"<td>{row['name']}</td>" in html
    assert data["loan_amounts"]["disbursed"]["count"] >= 1


def test_the_page_has_no_inline_script(page_as, county):
    html = page_as("supervisor").get("/supervision/dashboard").get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "/static/vendor/echarts/echarts.common.min.js" in html
    assert "/static/supervision/dashboard.js" in html


def test_a_township_supervisor_choosing_another_township_gets_nothing(page_as, county, township_a_supervisor):
    page = page_as("supervisor_a")
    html = page.get("/supervision/dashboard").get_data(as_text=True)
    assert "苏埠镇" in html and "韩摆渡镇" not in html
    assert page.get("/supervision/dashboard?region=341503002").status_code == 404


def test_others_are_refused_the_page_and_see_no_menu_entry(page_as, county):
    page = page_as("clerk")
    assert page.get("/supervision/dashboard").status_code == 403
    assert page.get("/supervision/reports/monthly?month=2026-02").status_code == 403
    assert "/supervision/dashboard" not in page.get("/").get_data(as_text=True)


def test_the_monthly_report_downloads_from_the_page(page_as, county):
    r = page_as("supervisor").get("/supervision/reports/monthly?month=2026-02")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.cell(row=ws.max_row, column=1).value == "合计"


def test_a_bad_date_on_the_page_says_which(page_as, county):
    r = page_as("supervisor").get("/supervision/dashboard?from=2026-02-30")
    assert r.status_code == 422
    assert "YYYY-MM-DD" in r.get_data(as_text=True)
