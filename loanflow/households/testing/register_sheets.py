"""Register spreadsheets for the import tests, built in memory (no sample files to keep in step)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from loanflow.core.domain.idcard import check_character
from loanflow.households.domain.register_layout import HEADERS


def id_number(n: int, birth: str = "19700101", area: str = "341503") -> str:
    first17 = f"{area}{birth}{n % 1000:03d}"
    return first17 + check_character(first17)


def card(n: int) -> str:
    digits = f"621799{n:012d}"
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def member_rows(
    households: int, village: str, sizes: Sequence[int] = (3, 1, 2), start: int = 0
) -> list[dict]:
    """Rows (header → value) for ``households`` valid households, one row per member."""
    rows = []
    n = start
    for h in range(households):
        size = sizes[h % len(sizes)]
        for i in range(size):
            n += 1
            rows.append(
                {
                    "户编号": f"H{start + h + 1:04d}",
                    "村代码": village,
                    "地址": f"{h % 9 + 1}组{h + 1}号",
                    "脱贫状态": ["未脱贫", "已脱贫", "返贫"][h % 3],
                    "监测类型": "边缘易致贫户" if h % 4 == 1 else "无",
                    "监测认定日期": "2025-06-30" if h % 4 == 1 else "",
                    "户属性": ["一般户", "低保户", "特困供养户"][h % 3],
                    "主要致贫原因": "因病",
                    "次要致贫原因": "缺资金、缺技术" if h % 2 else "",
                    "人均纯收入": f"{4000 + h}.50",
                    "账户类型": "一卡通",
                    "银行账号": card(start + h + 1),
                    "开户银行": "裕安区农村商业银行",
                    "姓名": f"王{'德明华国建文秀英'[i % 8]}{n}",
                    "身份证号码": id_number(n, birth=f"19{60 + n // 1000 % 40:02d}0{1 + i % 9}15"),
                    "无证原因": "",
                    "与户主关系": "户主" if i == 0 else ("配偶" if i == 1 else "子女"),
                    "劳动力状况": "普通劳动力",
                    "联系电话": "13800001111" if i == 0 else "",
                }
            )
    return rows


def xlsx_bytes(rows: list[dict], headers: Sequence[str] = HEADERS, title: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(list(headers))
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict], encoding: str = "utf-8-sig", headers: Sequence[str] = HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for r in rows:
        writer.writerow([r.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def read_sheet(data: bytes) -> list[list]:
    from loanflow.households.register_files import iter_rows, sniff

    return [list(values) for _, values in iter_rows(data, sniff(data))]
