"""GET /api/v1/reports/monthly: one row per township, the month's flows, a totals row that is their sum."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.subsidies.models import SubsidyCase

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    "loans_applied",
    "loans_credited",
    "credited_amount",
    "loans_disbursed",
    "disbursed_amount",
    "loans_outstanding",
    "outstanding_amount",
    "loans_overdue",
    "overdue_principal",
    "subsidies_approved",
    "approved_amount",
    "subsidies_paid",
    "paid_amount",
    "stalled",
)


def _rows(body: bytes) -> tuple[list[str], list[dict], dict]:
    ws = load_workbook(io.BytesIO(body)).active
    values = list(ws.iter_rows(min_row=4, values_only=True))
    rows = [dict(zip(("name", *COLUMNS), r, strict=True)) for r in values]
    return [c.value for c in ws[1]], rows[:-1], rows[-1]


def test_the_report_has_every_township_and_a_totals_row_that_is_their_sum(client, login, county):
    r = client.get("/api/v1/reports/monthly?month=2026-02", headers=login("supervisor"))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.content_type == XLSX
    assert 'filename="monthly-341503-2026-02.xlsx"' in r.headers["Content-Disposition"]
    title, rows, totals = _rows(r.data)
    assert "裕安区" in title[0] and "2026-02" in title[0] and "2026-03-10" in title[0]
    assert len(rows) == 11 and rows[0]["name"] == "苏埠镇" and totals["name"] == "合计"
    for column in COLUMNS:
        assert Decimal(str(totals[column])) == sum(Decimal(str(row[column])) for row in rows), column
    assert totals["loans_disbursed"] >= 1 and totals["stalled"] >= 3  # nothing trivially zero


def test_each_township_row_counts_its_own_cases_of_the_month(client, login, county):
    _title, rows, _totals = _rows(
        client.get("/api/v1/reports/monthly?month=2026-02", headers=login("supervisor")).data
    )
    first, last = date(2026, 2, 1), date(2026, 2, 28)
    loans = list(db.session.scalars(select(Loan)))
    cases = list(db.session.scalars(select(SubsidyCase)))
    for code, row in zip([f"341503{t:03d}" for t in range(1, 12)], rows, strict=True):
        mine = [x for x in loans if x.village_code.startswith(code)]
        late = [
            x
            for x in [*mine, *cases]
            if x.village_code.startswith(code) and x.stage_due_on and x.stage_due_on < date(2026, 3, 10)
        ]
        assert row["loans_applied"] == sum(1 for x in mine if first <= x.applied_on <= last), code
        disbursed = [x.credited_amount for x in mine if x.disbursed_on and first <= x.disbursed_on <= last]
        assert (row["loans_disbursed"], Decimal(str(row["disbursed_amount"]))) == (
            len(disbursed),
            sum(disbursed, Decimal(0)),
        )
        assert row["loans_overdue"] == sum(1 for x in mine if x.state == "overdue"), code
        assert row["stalled"] == len(late), code


def test_a_township_supervisor_gets_their_township_only(client, login, county, township_a_supervisor):
    r = client.get("/api/v1/reports/monthly?month=2026-02", headers=login("supervisor_a"))
    _title, rows, totals = _rows(r.data)
    assert [row["name"] for row in rows] == ["苏埠镇"]
    assert totals["stalled"] == rows[0]["stalled"]


def test_a_bad_month_is_422_naming_it(client, login, demo):
    for month in ("2026-13", "2026-2", "november", "2027-01"):
        r = client.get(f"/api/v1/reports/monthly?month={month}", headers=login("supervisor"))
        assert r.status_code == 422, month
        assert "month" in r.json["errors"], month
