"""The register in the pages: a dry run listing every bad cell (and the sheet with them marked), then
the import (a background job for a big file, with its progress), and the export of a searched list."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from loanflow.extensions import db
from loanflow.households.models import Household, Member
from loanflow.households.register_marked import BAD_FILL
from loanflow.households.testing.register_sheets import csv_bytes, member_rows, read_sheet, xlsx_bytes

VILLAGE_A = "341503001001"


def _rows(n: int = 3) -> list[dict]:
    return member_rows(n, VILLAGE_A, start=700)


def _upload(c, data: bytes, name: str = "花名册.xlsx"):
    page = c.get("/households/import").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = {"csrf_token": csrf, "file": (io.BytesIO(data), name)}
    return c.post("/households/import", data=body, content_type="multipart/form-data")


def _households() -> int:
    return db.session.scalar(select(func.count(Household.id)))


def test_a_dry_run_lists_every_bad_cell_and_marks_them_in_a_downloadable_sheet(page_as):
    rows = _rows()
    rows[1]["劳动力状况"] = "很强"
    rows[3]["身份证号码"] = "123"
    before = _households()
    c = page_as("clerk")
    r = _upload(c, xlsx_bytes(rows))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and _households() == before  # nothing written
    table = html[html.index("import-errors") :]
    assert '<td class="num">3</td><td>劳动力状况</td>' in table and "很强" in table
    assert '<td class="num">5</td><td>身份证号码</td>' in table
    assert "导入这" not in html  # no import button while cells are bad
    link = re.search(r'href="(/households/import/[0-9a-f]{64}/marked\.xlsx)"', html).group(1)
    sheet = c.get(link)
    assert sheet.status_code == 200
    ws = load_workbook(io.BytesIO(sheet.data)).active
    headers = [cell.value for cell in ws[1]]
    labour, idcol = headers.index("劳动力状况") + 1, headers.index("身份证号码") + 1
    assert ws.cell(row=3, column=labour).fill.start_color.rgb.endswith(BAD_FILL)
    assert "很强" in ws.cell(row=3, column=labour).comment.text
    assert ws.cell(row=5, column=idcol).fill.start_color.rgb.endswith(BAD_FILL)
    assert not ws.cell(row=2, column=labour).fill.start_color.rgb.endswith(BAD_FILL)
    assert "劳动力状况" in ws.cell(row=3, column=len(headers)).value  # the reasons column


def test_a_clean_dry_run_offers_the_import_which_writes_every_row(page_as):
    before = _households()
    c = page_as("clerk")
    html = _upload(c, csv_bytes(_rows(4)), "register.csv").get_data(as_text=True)
    assert "共 4 户，9 人。" in html and "导入这 4 户" in html
    action = re.search(r'action="(/households/import/[0-9a-f]{64})"', html).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = c.post(action, data={"csrf_token": csrf, "name": "register.csv"})
    assert r.status_code == 302 and _households() == before + 4
    assert "已导入 4 户。" in c.get(r.headers["Location"]).get_data(as_text=True)
    assert c.post(action, data={"csrf_token": csrf}).status_code == 404  # the kept file is gone


def test_a_big_file_is_imported_by_a_job_whose_page_shows_its_progress(app, page_as):
    app.config["HOUSEHOLD_IMPORT_SYNC_ROWS"] = 5
    try:
        before = _households()
        c = page_as("clerk")
        r = _upload(c, xlsx_bytes(_rows(6)))
        assert r.status_code == 302 and "/households/import/jobs/" in r.headers["Location"]
        html = c.get(r.headers["Location"]).get_data(as_text=True)
        assert "<progress" in html and "job-progress.js" in html and "导入这 6 户" in html
        action = re.search(r'action="(/households/import/[0-9a-f]{64})"', html).group(1)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        r = c.post(action, data={"csrf_token": csrf, "name": "花名册.xlsx"})
        job_page = r.headers["Location"]
        html = c.get(job_page).get_data(as_text=True)
        assert "已导入 6 户。" in html and _households() == before + 6
        job_id = re.search(r"/jobs/(\d+)", job_page).group(1)
        progress = c.get(f"/households/import/jobs/{job_id}/progress").json
        assert progress["state"] == "done" and progress["done"] >= 12
    finally:
        app.config["HOUSEHOLD_IMPORT_SYNC_ROWS"] = 1000


def test_the_export_is_the_list_as_searched(page_as):
    c = page_as("clerk")
    m = db.session.scalars(
        select(Member).join(Household).where(Household.village_code == VILLAGE_A, Member.relation == "head")
    ).first()
    r = c.get(f"/households/export?q={m.id_number[-4:]}&format=xlsx")
    assert r.status_code == 200
    sheet = read_sheet(r.data)
    names = [row[sheet[0].index("姓名")] for row in sheet[1:]]
    assert m.name in names
    everyone = read_sheet(c.get("/households/export?format=csv").data)
    assert len(everyone) > len(names) + 1
    listing = c.get(f"/households?q={m.id_number[-4:]}").get_data(as_text=True)
    assert f"/households/export?q={m.id_number[-4:]}&amp;format=xlsx" in listing


def test_only_a_clerk_imports(page_as):
    assert page_as("officer").get("/households/import").status_code == 403


def test_a_file_that_is_no_spreadsheet_is_named_beside_the_file_box(page_as):
    from loanflow.web.testing.fixtures import field_errors

    r = _upload(page_as("clerk"), b"%PDF-1.4 not a sheet", "scan.pdf")
    assert r.status_code == 415
    html = r.get_data(as_text=True)
    assert field_errors(html, "file") or "xlsx" in html[html.index("<main") :]
