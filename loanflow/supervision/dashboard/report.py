"""The monthly report (月报): per township, what moved in the month and what stands today, as xlsx.

The layout is the one counties send upward: a title row naming the region, the month and
the date the standing figures are taken on, two header rows (a group over its columns),
one row per township (every township, zeros included) and a totals row (合计) that is the
sum of the rows above it. Flows (applied, credited, disbursed, approved, paid) are the
month's; stocks (outstanding, overdue, stalled) are as of the business date the report is
drawn on, which the title says (the rows keep no history of past balances).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from loanflow.core import clock
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.subsidies.models import SubsidyCase
from loanflow.supervision.dashboard import services
from loanflow.supervision.dashboard.figures import LENT_STATES, ZERO, in_region, township_of


@dataclass
class ReportRow:
    code: str
    name: str
    loans_applied: int = 0
    loans_credited: int = 0
    credited_amount: Decimal = ZERO
    loans_disbursed: int = 0
    disbursed_amount: Decimal = ZERO
    loans_outstanding: int = 0
    outstanding_amount: Decimal = ZERO
    loans_overdue: int = 0
    overdue_principal: Decimal = ZERO
    subsidies_approved: int = 0
    approved_amount: Decimal = ZERO
    subsidies_paid: int = 0
    paid_amount: Decimal = ZERO
    stalled: int = 0


NUMBERS = [f.name for f in fields(ReportRow)][2:]


@dataclass(frozen=True)
class MonthlyReport:
    region_code: str
    region_name: str
    month: str
    first: date
    last: date
    as_of: date
    rows: list[ReportRow]

    @property
    def totals(self) -> ReportRow:
        total = ReportRow(self.region_code, "合计")
        for name in NUMBERS:
            setattr(
                total, name, sum((getattr(r, name) for r in self.rows), start=type(getattr(total, name))())
            )
        return total


def monthly_report(user, month: str) -> MonthlyReport:
    """The month's report for the supervisor's region, one row per township (月报)."""
    services.require_supervisor(user)
    first, last = services.month_bounds(month)
    region = services.region_for(user, None)
    today = clock.today()
    rows = {t.code: ReportRow(t.code, t.name) for t in services.townships(region.code)}
    prefix = region.code

    def fill(stmt, *names: str) -> None:
        for town, *values in db.session.execute(stmt):
            if town in rows:
                for name, value in zip(names, values, strict=True):
                    setattr(rows[town], name, value if value is not None else ZERO)

    principal = func.coalesce(Loan.principal_outstanding, Loan.credited_amount)
    fill(_flow(Loan, Loan.applied_on, None, prefix, first, last), "loans_applied")
    fill(
        _flow(Loan, Loan.credited_on, Loan.credited_amount, prefix, first, last),
        "loans_credited",
        "credited_amount",
    )
    fill(
        _flow(Loan, Loan.disbursed_on, Loan.credited_amount, prefix, first, last),
        "loans_disbursed",
        "disbursed_amount",
    )
    fill(
        _stock(Loan, principal, prefix, Loan.state.in_(LENT_STATES)),
        "loans_outstanding",
        "outstanding_amount",
    )
    fill(_stock(Loan, principal, prefix, Loan.state == "overdue"), "loans_overdue", "overdue_principal")
    approved = SubsidyCase.state.in_(("approved", "disbursed"))
    fill(
        _flow(SubsidyCase, SubsidyCase.approved_on, SubsidyCase.amount, prefix, first, last, approved),
        "subsidies_approved",
        "approved_amount",
    )
    fill(
        _flow(SubsidyCase, SubsidyCase.disbursed_on, SubsidyCase.amount, prefix, first, last, approved),
        "subsidies_paid",
        "paid_amount",
    )
    before = services.stalled_cutoff(today)
    for model in (Loan, SubsidyCase):
        for town, n in services.figures.stalled_per_township(model, prefix, before).items():
            if town in rows:
                rows[town].stalled += n
    return MonthlyReport(region.code, region.name, month, first, last, today, list(rows.values()))


def _flow(model, column, amount, prefix: str, first: date, last: date, *extra):
    town = township_of(model.village_code)
    cols = [func.count()] + ([func.sum(amount)] if amount is not None else [])
    return (
        select(town, *cols)
        .where(in_region(model.village_code, prefix), column >= first, column <= last, *extra)
        .group_by(town)
    )


def _stock(model, amount, prefix: str, *conds):
    town = township_of(model.village_code)
    return (
        select(town, func.count(), func.sum(amount))
        .where(in_region(model.village_code, prefix), *conds)
        .group_by(town)
    )


HEADER_GROUPS = (
    ("乡镇", 1),
    ("贷款申请", 1),
    ("授信", 2),
    ("放贷", 2),
    ("贷款余额", 2),
    ("逾期贷款", 2),
    ("产业奖补审批", 2),
    ("产业奖补兑付", 2),
    ("超期案件", 1),
)
HEADERS = ("乡镇", "笔数", "笔数", "金额（元）", "笔数", "金额（元）", "笔数", "余额（元）", "笔数", "本金（元）",
           "件数", "金额（元）", "件数", "金额（元）", "件数")  # fmt: skip


def report_xlsx(report: MonthlyReport) -> bytes:
    """The report as a workbook: title, two header rows, one row per township, the totals row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.month} 月报"
    width = len(HEADERS)
    ws.append(
        [
            f"{report.region_name}扶贫小额信贷和产业奖补工作月报（{report.month}）"
            f"　余额、逾期、超期截至 {report.as_of.isoformat()}"
        ]
    )
    groups, spans, col = [], [], 1
    for title, span in HEADER_GROUPS:
        groups += [title] + [""] * (span - 1)
        spans.append((col, span))
        col += span
    ws.append(groups)
    ws.append(list(HEADERS))
    for r in [*report.rows, report.totals]:
        ws.append([r.name, *(getattr(r, name) for name in NUMBERS)])
    # merged only once every row is written (a merge moves openpyxl's append cursor)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    for col, span in spans:
        if span > 1:
            ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + span - 1)
    bold = Font(bold=True)
    for row in ws.iter_rows(min_row=1, max_row=3):
        for cell in row:
            cell.font, cell.alignment = bold, Alignment(horizontal="center", vertical="center")
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in ws.iter_rows(min_row=4, min_col=2, max_col=width):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 14
    for i in range(2, width + 1):
        ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = 13
    ws.freeze_panes = "B4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
