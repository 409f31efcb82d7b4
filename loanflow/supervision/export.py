"""The filtered stalled queue as a workbook (xlsx), with Chinese headers, as the pages list it."""

from __future__ import annotations

import io

from loanflow.core.domain.labels import label
from loanflow.supervision.services.stalled import StalledCase

HEADERS = (
    "序号",
    "案件编号",
    "业务",
    "农户",
    "乡镇",
    "村",
    "环节",
    "办理时限",
    "超期工作日",
    "应办理角色",
    "应办理人",
    "无人可办",
    "督办次数",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRODUCT_LABELS = {"loan": "小额信贷", "subsidy": "产业奖补"}


def stalled_xlsx(rows: list[StalledCase], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "超期案件"
    ws.append([title])
    ws.append(list(HEADERS))
    for n, r in enumerate(rows, start=1):
        ws.append(
            [
                n,
                r.case_number,
                PRODUCT_LABELS[r.case_type],
                r.household,
                r.township,
                r.village,
                label(r.state_kind, r.state),
                r.due_on,
                r.working_days_over,
                "、".join(label("role", role) for role in r.who.roles),
                "、".join(a.name for a in r.who.actors),
                r.dead_end_reason.zh if r.dead_end else "",
                r.presses,
            ]
        )
    for cell in ws[1] + ws[2]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=3, min_col=8, max_col=8):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    widths = (6, 16, 10, 8, 10, 10, 10, 12, 10, 14, 20, 30, 8)
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
