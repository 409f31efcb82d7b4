"""Bulk import of the register: every bad row reported, all rows or none, one audit event, round trip."""

from __future__ import annotations

import hashlib
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import delete, func, select

from loanflow.accounts.services import create_region, create_user
from loanflow.audit import services as audit
from loanflow.audit.models import AuditEvent
from loanflow.core import uow
from loanflow.core.errors import Conflict, Forbidden, Invalid
from loanflow.extensions import db
from loanflow.households.domain.register_layout import HEADERS
from loanflow.households.models import Household, Member
from loanflow.households.register_io import (
    ImportRefused,
    UnsupportedFile,
    export_households,
    import_households,
)
from loanflow.households.testing.register_sheets import (
    csv_bytes,
    id_number,
    member_rows,
    read_sheet,
    xlsx_bytes,
)

VILLAGE = "341503001001"
VILLAGE_2 = "341503001002"
OTHER_TOWNSHIP_VILLAGE = "341503002001"


@pytest.fixture
def county(app):
    """A county with two villages in township 001 and one in 002; a township clerk and a supervisor."""
    for code, name in [
        ("341503", "裕安区"),
        ("341503001", "苏埠镇"),
        (VILLAGE, "桃园村"),
        (VILLAGE_2, "李湾村"),
        ("341503002", "韩摆渡镇"),
        (OTHER_TOWNSHIP_VILLAGE, "红星村"),
    ]:
        create_region(None, code, name)
    people = {}
    for username, role, region in [
        ("clerk", "clerk", "341503001"),
        ("supervisor", "supervisor", "341503"),
        ("approver", "approver", "341503001"),
    ]:
        people[username] = create_user(
            None, username=username, full_name=username, role=role, region_code=region, password="x" * 12
        )
    db.session.commit()
    return people


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(Household.id))),
        db.session.scalar(select(func.count(Member.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )


def errors_of(report) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.reason.code) for e in report.errors}


def test_a_dry_run_reports_every_bad_row_with_its_column_and_reason_and_writes_nothing(county):
    rows = member_rows(6, VILLAGE)  # 12 member rows; spreadsheet rows 2..13
    rows[0]["身份证号码"] = rows[0]["身份证号码"][:17] + ("0" if rows[0]["身份证号码"][17] != "0" else "1")
    rows[3]["脱贫状态"] = "已经脱贫"
    rows[9]["银行账号"] = rows[9]["银行账号"][:-1] + str((int(rows[9]["银行账号"][-1]) + 1) % 10)
    rows[6]["联系电话"] = "1380000"
    rows[8]["人均纯收入"] = "4000.123"
    rows[11]["与户主关系"] = "户主"  # a second head in household H0006 (spreadsheet rows 12-13)
    before = counts()

    report = import_households(county["clerk"], xlsx_bytes(rows), "花名册.xlsx", dry_run=True)

    assert errors_of(report) == {
        (2, "身份证号码", "id_number.check_character"),
        (5, "脱贫状态", "status.unknown"),
        (8, "联系电话", "phone.invalid"),
        (10, "人均纯收入", "money.too_many_decimals"),
        (11, "银行账号", "bank_account.luhn"),
        (12, "与户主关系", "members.one_head"),
    }
    first = report.errors[0]
    assert "校验位" in first.reason.zh and "check character" in first.reason.en
    assert report.households == 6 and report.members == 12 and not report.written
    assert counts() == before


def test_a_real_run_with_one_bad_row_in_fifty_writes_nothing(county):
    rows = member_rows(25, VILLAGE, sizes=(2,))
    assert len(rows) == 50
    rows[37]["身份证号码"] = "34150319700101001"  # 17 characters
    before = counts()

    with pytest.raises(ImportRefused) as refused:
        import_households(county["clerk"], xlsx_bytes(rows), "register.xlsx", dry_run=False)

    assert errors_of(refused.value.report) == {(39, "身份证号码", "id_number.length")}
    assert counts() == before


def test_a_real_run_writes_every_row_and_is_one_audit_event_with_the_files_sha256(county):
    data = xlsx_bytes(member_rows(20, VILLAGE))
    households, members, events = counts()

    report = import_households(county["clerk"], data, "register.xlsx", dry_run=False)

    assert report.written and report.households == 20 and report.members == 40
    assert counts() == (households + 20, members + 40, events + 1)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "household.import" and event.actor == "clerk" and event.chain == "341503"
    assert event.after["sha256"] == hashlib.sha256(data).hexdigest()
    assert event.after["households"] == 20 and event.after["members"] == 40
    assert event.after["file_name"] == "register.xlsx"
    ids = db.session.scalars(select(Household.id).order_by(Household.id)).all()
    assert event.after["household_ids"] == [[ids[0], ids[-1]]]
    assert audit.verify().ok


def test_imported_households_carry_codes_money_dates_and_derived_birth_dates(county):
    rows = member_rows(2, VILLAGE)
    rows[3]["监测类型"], rows[3]["监测认定日期"] = "hardship", "2025/7/1"  # English code and slashes
    rows[3]["次要致贫原因"] = "no_funds，缺水"
    import_households(county["clerk"], xlsx_bytes(rows), "r.xlsx", dry_run=False)

    h = db.session.scalars(select(Household).order_by(Household.id)).all()[1]
    assert (h.status, h.attribute, h.monitoring, str(h.monitoring_set_on)) == (
        "out",
        "dibao",
        "hardship",
        "2025-07-01",
    )
    assert h.secondary_causes == ["no_funds", "no_water"] and str(h.income_per_head) == "4001.50"
    head = h.head
    assert head.birth_date.isoformat() == "1960-01-15" and head.sex in ("male", "female")


def test_an_id_number_already_in_the_register_is_refused(county):
    import_households(
        county["clerk"], xlsx_bytes(member_rows(1, VILLAGE, sizes=(1,))), "a.xlsx", dry_run=False
    )
    again = member_rows(2, VILLAGE_2, sizes=(1,), start=5)
    again[1]["身份证号码"] = id_number(1, birth="19600115")  # the person imported above

    report = import_households(county["clerk"], xlsx_bytes(again), "b.xlsx", dry_run=True)

    assert errors_of(report) == {(3, "身份证号码", "id_number.other_household")}
    assert "一人一户" in report.errors[0].reason.zh


def test_the_same_person_twice_in_the_file_is_refused_on_the_later_row(county):
    rows = member_rows(3, VILLAGE, sizes=(1,))
    rows[2]["身份证号码"] = rows[0]["身份证号码"]

    report = import_households(county["clerk"], xlsx_bytes(rows), "r.xlsx", dry_run=True)

    assert errors_of(report) == {(4, "身份证号码", "id_number.twice_in_file")}
    assert "第 2 行" in report.errors[0].reason.zh


def test_villages_outside_the_scope_or_unknown_are_refused_per_household(county):
    rows = member_rows(3, VILLAGE, sizes=(1,))
    rows[1]["村代码"] = OTHER_TOWNSHIP_VILLAGE
    rows[2]["村代码"] = "341503001099"

    report = import_households(
        county["clerk"], xlsx_bytes(rows), "r.xlsx", village_scope=VILLAGE, dry_run=True
    )

    assert errors_of(report) == {(3, "村代码", "village_code.outside"), (4, "村代码", "village_code.unknown")}


def test_only_a_clerk_imports_and_only_within_their_region(county):
    data = xlsx_bytes(member_rows(1, VILLAGE))
    with pytest.raises(Forbidden):
        import_households(county["supervisor"], data, "r.xlsx")
    with pytest.raises(Forbidden):
        import_households(county["clerk"], data, "r.xlsx", village_scope="341503002")


def test_a_title_row_merged_household_cells_and_extra_columns_are_understood(county):
    rows = member_rows(2, VILLAGE, sizes=(3,))
    for r in rows[1:3]:  # merged cells read as blanks below the first row
        for header in ("户编号", "村代码", "脱贫状态", "户属性", "银行账号", "开户银行"):
            r[header] = None
    rows[4]["脱贫状态"] = "返贫"  # H0002 says 已脱贫 on its first row
    headers = ["序号", *HEADERS, "性别"]
    data = xlsx_bytes(rows, headers=headers, title="裕安区建档立卡贫困户花名册")

    report = import_households(county["clerk"], data, "r.xlsx", dry_run=True)

    assert report.ignored_columns == ["序号", "性别"]
    assert errors_of(report) == {(7, "脱贫状态", "household.inconsistent")}


def test_an_id_number_in_a_number_cell_is_refused_as_corrupted_by_excel(county):
    rows = member_rows(1, VILLAGE, sizes=(1,))
    rows[0]["身份证号码"] = 341503196001150011  # Excel keeps 15 digits of this
    wb = Workbook()
    wb.active.append(list(HEADERS))
    wb.active.append([rows[0].get(h) for h in HEADERS])
    wb.active["P2"].value = float(rows[0]["身份证号码"])
    out = io.BytesIO()
    wb.save(out)

    report = import_households(county["clerk"], out.getvalue(), "r.xlsx", dry_run=True)

    assert errors_of(report) == {(2, "身份证号码", "cell.number_precision")}
    assert "文本" in report.errors[0].reason.zh


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gb18030_imports_the_chinese_intact(county, encoding):
    rows = member_rows(3, VILLAGE)
    report = import_households(county["clerk"], csv_bytes(rows, encoding), "r.csv", dry_run=False)

    assert report.format == "csv" and report.households == 3 and not report.errors
    names = set(db.session.scalars(select(Member.name)))
    assert names == {r["姓名"] for r in rows}
    assert db.session.scalar(select(Household.bank_name).limit(1)) == "裕安区农村商业银行"


@pytest.mark.parametrize(
    "data,status,field",
    [
        (b"%PDF-1.7 ...", 415, "file"),
        (b"", 422, "file"),
        ("户编号,村代码,姓名\n".encode(), 422, "脱贫状态"),
        (xlsx_bytes([], headers=HEADERS), 422, "file"),
    ],
)
def test_a_file_that_is_not_a_register_is_refused_naming_the_problem(county, data, status, field):
    with pytest.raises(Invalid) as refused:
        import_households(county["clerk"], data, "x", dry_run=True)
    assert refused.value.status == status and field in refused.value.errors
    assert isinstance(refused.value, UnsupportedFile) == (status == 415)


def test_an_export_re_imports_into_an_empty_register_unchanged(county):
    import_households(
        county["clerk"],
        xlsx_bytes(member_rows(8, VILLAGE) + member_rows(4, VILLAGE_2, start=100)),
        "a.xlsx",
        dry_run=False,
    )
    first = io.BytesIO()
    result = export_households(county["clerk"], first, "xlsx")
    assert (result.households, result.members, result.masked) == (12, 25, False)

    db.session.execute(delete(Member))
    db.session.execute(delete(Household))
    db.session.commit()
    report = import_households(county["clerk"], first.getvalue(), "export.xlsx", dry_run=False)
    assert report.households == 12 and not report.errors
    second = io.BytesIO()
    export_households(county["clerk"], second, "xlsx")

    def without_keys(data: bytes) -> list[list]:
        return [row[1:] for row in read_sheet(data)]

    assert without_keys(second.getvalue()) == without_keys(first.getvalue())
    assert read_sheet(first.getvalue())[0] == list(HEADERS)


def test_a_supervisors_export_masks_id_numbers_and_accounts_and_a_clerks_does_not(county):
    rows = member_rows(2, VILLAGE)
    import_households(county["clerk"], xlsx_bytes(rows), "a.xlsx", dry_run=False)
    out = io.BytesIO()
    assert export_households(county["supervisor"], out, "csv").masked
    sheet = read_sheet(out.getvalue())
    id_col, account_col = HEADERS.index("身份证号码"), HEADERS.index("银行账号")
    number = rows[0]["身份证号码"]
    assert sheet[1][id_col] == number[:6] + "********" + number[-4:]
    assert sheet[1][account_col].startswith("*") and sheet[1][account_col][-4:] == rows[0]["银行账号"][-4:]
    assert out.getvalue().startswith(b"\xef\xbb\xbf")


def test_a_person_registered_by_someone_else_during_the_import_leaves_nothing_written(county, monkeypatch):
    import_households(
        county["clerk"], xlsx_bytes(member_rows(1, VILLAGE, sizes=(1,))), "a.xlsx", dry_run=False
    )
    uow.commit()  # the refused import below rolls its unit of work back
    clash = member_rows(3, VILLAGE_2, sizes=(1,), start=5)
    clash[2]["身份证号码"] = id_number(1, birth="19600115")
    monkeypatch.setattr(
        "loanflow.households.register_io._check_registered", lambda parsed: None
    )  # the race window
    before = counts()

    with pytest.raises(Conflict):
        import_households(county["clerk"], xlsx_bytes(clash), "b.xlsx", dry_run=False)

    assert counts() == before


def test_the_commands_check_import_and_export_a_file_as_the_named_user(county, app, tmp_path):
    path = tmp_path / "花名册.csv"
    rows = member_rows(2, VILLAGE)
    rows[1]["姓名"] = ""
    path.write_bytes(csv_bytes(rows))
    runner = app.test_cli_runner()
    args = ["loanflow", "import-households", str(path), "--village-scope", "341503001", "--as", "clerk"]

    checked = runner.invoke(args=[*args, "--dry-run"])
    assert checked.exit_code == 2 and "第 3 行 姓名" in checked.output and "would import" in checked.output
    rows[1]["姓名"] = "王明"
    path.write_bytes(csv_bytes(rows))
    imported = runner.invoke(args=args)
    assert imported.exit_code == 0 and "2 households, 4 members, 0 errors; imported" in imported.output

    out = tmp_path / "export.xlsx"
    exported = runner.invoke(args=["loanflow", "export-households", "--out", str(out), "--as", "supervisor"])
    assert exported.exit_code == 0 and "masked" in exported.output
    assert len(read_sheet(out.read_bytes())) == 5
