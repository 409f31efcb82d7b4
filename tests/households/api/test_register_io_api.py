"""The register as a spreadsheet over HTTP: upload (dry run by default), refusals as problem+json, export."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from loanflow.audit.models import AuditEvent
from loanflow.extensions import db
from loanflow.households.domain.register_layout import HEADERS
from loanflow.households.models import Household, Member
from loanflow.households.testing.register_sheets import csv_bytes, member_rows, read_sheet, xlsx_bytes

VILLAGE_A = "341503001001"  # the demo clerk's village


def upload(client, headers, data: bytes, name: str = "花名册.xlsx", **form):
    body = {"file": (io.BytesIO(data), name), **{k: str(v).lower() for k, v in form.items()}}
    return client.post(
        "/api/v1/households/import", data=body, headers=headers, content_type="multipart/form-data"
    )


def fresh_rows(households: int = 3) -> list[dict]:
    return member_rows(households, VILLAGE_A, start=900)  # ID numbers unlike the demo's


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count(t.id))) for t in (Household, Member, AuditEvent))


def test_an_upload_is_a_dry_run_unless_asked_and_reports_bad_rows_with_row_column_and_reason(client, login):
    rows = fresh_rows()
    rows[1]["劳动力状况"] = "很强"
    before = counts()

    r = upload(client, login("clerk"), xlsx_bytes(rows))

    assert r.status_code == 200, r.json
    assert r.json["dry_run"] is True and r.json["ok"] is False and r.json["written"] is False
    (error,) = r.json["errors"]
    assert (error["row"], error["column"], error["code"]) == (3, "劳动力状况", "labour.unknown")
    assert "很强" in error["zh"] and "not one of" in error["en"]
    assert counts() == before


def test_a_real_upload_writes_the_households_and_answers_201_with_the_report(client, login):
    before = counts()
    r = upload(client, login("clerk"), csv_bytes(fresh_rows(4)), name="register.csv", dry_run=False)

    assert r.status_code == 201, r.json
    assert (r.json["households"], r.json["members"], r.json["written"]) == (4, 9, True)
    assert counts() == (before[0] + 4, before[1] + 9, before[2] + 1)


def test_a_refused_real_upload_is_422_with_every_bad_row_and_writes_nothing(client, login):
    rows = fresh_rows()
    rows[0]["姓名"] = ""
    rows[5]["身份证号码"] = "123"
    before = counts()

    r = upload(client, login("clerk"), xlsx_bytes(rows), dry_run=False)

    assert r.status_code == 422 and r.content_type == "application/problem+json"
    assert [(e["row"], e["column"]) for e in r.json["report"]["errors"]] == [(2, "姓名"), (7, "身份证号码")]
    assert "row 2 姓名" in r.json["errors"] and "未导入" in r.json["detail"]
    assert counts() == before


def test_a_file_that_is_not_a_spreadsheet_is_415_problem_json(client, login):
    r = upload(client, login("clerk"), b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", name="scan.pdf")
    assert r.status_code == 415 and r.content_type == "application/problem+json"
    assert "xlsx" in r.json["detail"]


def test_a_missing_header_column_is_422_naming_the_column(client, login):
    headers = [h for h in HEADERS if h != "与户主关系"]
    r = upload(client, login("clerk"), xlsx_bytes(fresh_rows(), headers=headers))
    assert r.status_code == 422
    assert list(r.json["errors"]) == ["与户主关系"] and "与户主关系" in r.json["detail"]


def test_an_empty_file_is_422(client, login):
    r = upload(client, login("clerk"), b"", name="empty.csv")
    assert r.status_code == 422 and "file" in r.json["errors"]


def test_an_upload_without_a_file_is_422_naming_the_field(client, login):
    r = client.post("/api/v1/households/import", data={"dry_run": "true"}, headers=login("clerk"))
    assert r.status_code == 422 and "file" in r.json["errors"]


def test_only_a_clerk_may_import(client, login):
    r = upload(client, login("approver"), xlsx_bytes(fresh_rows()))
    assert r.status_code == 403


def test_a_retried_import_with_the_same_idempotency_key_imports_once(client, login):
    from werkzeug.test import EnvironBuilder

    form = {"file": (io.BytesIO(xlsx_bytes(fresh_rows())), "r.xlsx"), "dry_run": "false"}
    request = EnvironBuilder(method="POST", data=form).get_request()
    body, content_type = request.get_data(), request.content_type  # the same bytes, resent
    headers = {**login("clerk"), "Idempotency-Key": "import-1", "Content-Type": content_type}
    before = counts()
    first = client.post("/api/v1/households/import", data=body, headers=headers)
    again = client.post("/api/v1/households/import", data=body, headers=headers)
    assert first.status_code == again.status_code == 201, (first.json, again.json)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert counts()[0] == before[0] + 3


def test_the_export_is_the_import_layout_with_ids_whole_for_a_clerk(client, login):
    r = client.get("/api/v1/households/export?format=xlsx", headers=login("clerk"))
    assert r.status_code == 200 and "spreadsheetml" in r.content_type
    sheet = read_sheet(r.data)
    assert sheet[0] == list(HEADERS)
    id_number = sheet[1][HEADERS.index("身份证号码")]
    assert len(id_number) == 18 and "*" not in id_number
    assert {row[HEADERS.index("村代码")] for row in sheet[1:]} == {VILLAGE_A}
    assert int(r.headers["X-Members"]) == len(sheet) - 1


def test_a_supervisors_export_masks_id_numbers_and_accounts(client, login):
    r = client.get("/api/v1/households/export?format=csv", headers=login("supervisor"))
    assert r.status_code == 200 and r.data.startswith(b"\xef\xbb\xbf")
    sheet = read_sheet(r.data)
    for row in sheet[1:]:
        assert "********" in row[HEADERS.index("身份证号码")] or row[HEADERS.index("身份证号码")] == ""
        assert row[HEADERS.index("银行账号")].startswith("*")
    assert int(r.headers["X-Households"]) == 30


def test_an_admin_may_not_export_and_an_unknown_format_is_422(client, login):
    assert client.get("/api/v1/households/export", headers=login("admin")).status_code == 403
    r = client.get("/api/v1/households/export?format=pdf", headers=login("clerk"))
    assert r.status_code == 422 and "format" in r.json["errors"]


def test_a_misspelt_option_is_refused_rather_than_silently_ignored(client, login):
    r = upload(client, login("clerk"), xlsx_bytes(fresh_rows()), dryrun=False)
    assert r.status_code == 422 and "dryrun" in r.json["errors"]
