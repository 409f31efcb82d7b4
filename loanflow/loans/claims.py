"""The treasury's interest-subsidy claim list (贴息清单), per quarter and bank branch.

Each interest line settled in the quarter (its 结息日, or the maturity, a
recall or a payoff that ended a line) on a loan of the branch, with the
interest and the treasury's share, replayed by the ledger as of the quarter's
end (or today, when the quarter is not over). Lines without a subsidy (after a
recall, or an extension without subsidy) are left out.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core import clock
from loanflow.core.domain.money import ZERO
from loanflow.core.errors import Invalid, NotFound, msg
from loanflow.core.regions import Branch
from loanflow.core.scope import in_region
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.loans.services.money import position_of

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True)
class ClaimRow:
    loan_id: int
    case_number: str
    household_id: int
    borrower_name: str
    village_code: str
    seq: int
    settlement_date: date
    interest: Decimal
    subsidy: Decimal


@dataclass(frozen=True)
class ClaimList:
    quarter: str
    start: date
    end: date
    branch: Branch
    rows: list[ClaimRow]

    @property
    def total_interest(self) -> Decimal:
        return sum((r.interest for r in self.rows), ZERO)

    @property
    def total_subsidy(self) -> Decimal:
        return sum((r.subsidy for r in self.rows), ZERO)


def parse_quarter(text: str) -> tuple[date, date]:
    """``2026Q1`` → (2026-01-01, 2026-03-31); 422 naming ``quarter`` otherwise."""
    m = QUARTER.match(text or "")
    if not m:
        raise Invalid({"quarter": [msg("季度格式应为 2026Q1", "The quarter is written like 2026Q1")]})
    year, q = int(m.group(1)), int(m.group(2))
    if not 2000 <= year <= 2100:
        raise Invalid(
            {"quarter": [msg("季度的年份应在 2000 至 2100 之间", "The quarter's year must be 2000 to 2100")]}
        )
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def can_see_claims(user: User | None, branch: Branch) -> bool:
    """The branch's own officers; supervisors and county approvers of its county."""
    if user is None:
        return True  # the command line
    if user.role == "bank_officer":
        return user.branch_id == branch.id
    if user.role in ("supervisor", "approver") and len(user.region_code) == 6:
        return in_region(user, branch.county_code)
    return False


def _alive_in(start: date, as_of: date) -> list:
    """Loans that can have a subsidised line settled from ``start`` to ``as_of``: disbursed by then,
    and not matured, recalled nor paid off before the quarter (a subsidised line is settled on or
    before the maturity in force, and none after a recall or a payoff), so no ledger is replayed
    for a loan the branch closed long ago."""
    maturity = func.coalesce(Loan.extended_maturity_on, Loan.maturity_on)
    return [
        Loan.disbursed_on.is_not(None),
        Loan.disbursed_on <= as_of,
        maturity >= start,
        or_(Loan.recalled_on.is_(None), Loan.recalled_on >= start),
        or_(Loan.closed_on.is_(None), Loan.closed_on >= start),
    ]


def claim_list(actor: User | None, quarter: str, branch_id: int) -> ClaimList:
    """Every subsidised interest line of the branch's loans settled in the quarter."""
    start, end = parse_quarter(quarter)
    branch = db.session.get(Branch, branch_id)
    if branch is None or not can_see_claims(actor, branch):
        raise NotFound(msg(f"网点 {branch_id} 不存在", f"Branch {branch_id} not found"))
    as_of = min(end, clock.today())
    loans = db.session.scalars(
        select(Loan).where(Loan.branch_id == branch.id, *_alive_in(start, as_of)).order_by(Loan.id)
    )
    cal, rows = work_calendar(), []
    for loan in loans:
        pos = position_of(loan, as_of, calendar=cal)
        for line in pos.lines:
            if start <= line.due_date <= as_of and line.subsidy > 0:
                rows.append(
                    ClaimRow(
                        loan.id,
                        loan.case_number,
                        loan.household_id,
                        loan.borrower_name,
                        loan.village_code,
                        line.seq,
                        line.due_date,
                        line.interest,
                        line.subsidy,
                    )
                )
    rows.sort(key=lambda r: (r.settlement_date, r.case_number, r.seq))
    return ClaimList(quarter, start, end, branch, rows)


def head_names(rows: list[ClaimRow]) -> dict[int, str]:
    """The household heads' names, for the list (户主)."""
    ids = {r.household_id for r in rows}
    if not ids:
        return {}
    heads = {}
    for h in db.session.scalars(select(Household).where(Household.id.in_(ids))):
        head = h.head
        heads[h.id] = head.name if head else ""
    return heads


HEADERS = ("序号", "贷款编号", "借款人", "户主", "村代码", "期次", "结息日", "利息（元）", "贴息（元）")


def claim_xlsx(claims: ClaimList) -> bytes:
    """The claim list as a workbook with Chinese headers and a totals row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "贴息清单"
    ws.append([f"{claims.branch.name} {claims.quarter} 贴息清单（{claims.start} 至 {claims.end}）"])
    ws.append(list(HEADERS))
    heads = head_names(claims.rows)
    for i, r in enumerate(claims.rows, start=1):
        ws.append(
            [
                i,
                r.case_number,
                r.borrower_name,
                heads.get(r.household_id, ""),
                r.village_code,
                r.seq,
                r.settlement_date,
                r.interest,
                r.subsidy,
            ]
        )
    ws.append(["合计", "", "", "", "", "", "", claims.total_interest, claims.total_subsidy])
    for cell in ws[1] + ws[2] + ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=3, min_col=8, max_col=9):
        for cell in row:
            cell.number_format = "#,##0.00"
    for row in ws.iter_rows(min_row=3, min_col=7, max_col=7):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFGHI", (6, 16, 10, 10, 14, 6, 12, 12, 12), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
