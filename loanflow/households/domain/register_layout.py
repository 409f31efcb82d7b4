"""The spreadsheet layout of the household register (建档立卡花名册) for bulk import and export.

One row per member; the household columns are repeated on every row of the
household (a blank household cell on a later row takes the household's value,
and a row with a blank 户编号 belongs to the household of the row above, so
sheets with merged cells import too). Rows with the same 户编号 form one
household; 户编号 is a key within the file only (the export writes the
household's id there). Columns, in the order the export writes them:

==============  ==================  =========  =============================================
header          field               required   values
==============  ==================  =========  =============================================
户编号          (household key)     yes        any text, the same on every row of a household
村代码          village_code        yes        12-digit village code
村名称          (check only)        no         if given, must be the name of 村代码's village
地址            address             no         text below the village (组, house number)
脱贫状态        status              yes        未脱贫 / 已脱贫 / 返贫
监测类型        monitoring          no         无 (blank) / 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户
监测认定日期    monitoring_set_on   if 监测    2025-06-30, 2025/6/30, 20250630, 2025年6月30日 or a date cell
户属性          attribute           yes        一般户 / 低保户 / 特困供养户
主要致贫原因    main_cause          yes        因病, 因残, … (DOMAIN.md's causes)
次要致贫原因    secondary_causes    no         causes separated by 、 (or , ， ; ；)
人均纯收入      income_per_head     yes        yuan, at most 2 decimals
账户类型        account_type        yes        一卡通 / 存折
银行账号        bank_account        yes        digits (a card passes the Luhn check); spaces are dropped
开户银行        bank_name           yes        text
姓名            name                yes        text
身份证号码      id_number           one of     18 characters (GB 11643-1999), a text cell
无证原因        no_id_reason        the two    why a member has no ID number
与户主关系      relation            yes        户主 / 配偶 / 子女 / 父母 / 孙子女 / 兄弟姐妹 / 其他
劳动力状况      labour              yes        技能劳动力 / 普通劳动力 / 弱劳动力 / 无劳动力
联系电话        phone               no         11-digit mobile number
==============  ==================  =========  =============================================

Every code column accepts the Chinese label or the English code (``not_out``).
Headers are matched ignoring spaces, line breaks and full-width brackets, with
a few common aliases (身份证号, 开户行, …); other columns (序号, 性别, …) are
ignored and listed in the report. The header row is the first of the first
ten rows that holds at least three known headers, so a title row above it is
fine; row numbers in reports are the spreadsheet's own.

An ID number typed into a number cell has lost its last digits in Excel
(1.10105E+17) and is refused with that explanation, as is a long account
number in a number cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from loanflow.core.domain.labels import LABELS
from loanflow.core.domain.money import format_money
from loanflow.core.domain.reasons import Reason

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    household: bool
    required: bool
    kind: str | None = None  # a label kind of labels.py for code columns
    max_length: int | None = None
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("户编号", "key", True, True, max_length=40, aliases=("户号", "户序号")),
    Column("村代码", "village_code", True, True, aliases=("行政村代码", "村编码")),
    Column("村名称", "village_name", True, False, max_length=60, aliases=("行政村", "村名", "村")),
    Column("地址", "address", True, False, max_length=200, aliases=("家庭住址", "住址")),
    Column("脱贫状态", "status", True, True, "status", aliases=("贫困户状态",)),
    Column("监测类型", "monitoring", True, False, "monitoring", aliases=("监测对象类型",)),
    Column("监测认定日期", "monitoring_set_on", True, False, aliases=("认定日期",)),
    Column("户属性", "attribute", True, True, "attribute", aliases=("贫困户属性",)),
    Column("主要致贫原因", "main_cause", True, True, "cause"),
    Column("次要致贫原因", "secondary_causes", True, False, "cause", aliases=("其他致贫原因",)),
    Column("人均纯收入", "income_per_head", True, True, aliases=("人均纯收入(元)", "家庭人均纯收入")),
    Column("账户类型", "account_type", True, True, "account_type"),
    Column("银行账号", "bank_account", True, True, aliases=("银行卡号", "账号")),
    Column("开户银行", "bank_name", True, True, max_length=100, aliases=("开户行",)),
    Column("姓名", "name", False, True, max_length=60),
    Column("身份证号码", "id_number", False, True, aliases=("身份证号", "证件号码")),
    Column("无证原因", "no_id_reason", False, False, max_length=200),
    Column("与户主关系", "relation", False, True, "relation", aliases=("与户主的关系", "户主关系")),
    Column("劳动力状况", "labour", False, True, "labour", aliases=("劳动技能", "劳动力类型")),
    Column("联系电话", "phone", False, False, max_length=20, aliases=("手机号码", "联系方式")),
)
BY_FIELD = {c.field: c for c in COLUMNS}
HEADERS = tuple(c.header for c in COLUMNS)
HOUSEHOLD_COLUMNS = tuple(c for c in COLUMNS if c.household)
MEMBER_COLUMNS = tuple(c for c in COLUMNS if not c.household)


@dataclass(frozen=True)
class RowError:
    """One bad cell (or row): the spreadsheet row number, the column header, the reason."""

    row: int
    column: str
    reason: Reason


class FileProblem(ValueError):
    """The file as a whole cannot be read as the register: not a spreadsheet, empty, columns missing."""

    def __init__(self, kind: str, reasons: dict[str, list[Reason]]):
        super().__init__("; ".join(r.en for rs in reasons.values() for r in rs))
        self.kind = kind
        self.reasons = reasons


def normal(header: object) -> str:
    text = "" if header is None else str(header)
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text)


_HEADER_INDEX = {normal(a): c for c in COLUMNS for a in (c.header, *c.aliases)}


@dataclass
class Header:
    """Where each known column is in the sheet, and what was ignored."""

    row: int
    positions: dict[str, int]
    ignored: list[str]


def find_header(rows: Iterable[tuple[int, Sequence[Any]]]) -> Header:
    """The header row among the first rows; ``FileProblem`` when the file is empty or a column is missing."""
    best: tuple[int, Sequence[Any]] | None = None
    seen_content = False
    for number, values in rows:
        if any(v not in (None, "") for v in values):
            seen_content = True
        known = sum(1 for v in values if normal(v) in _HEADER_INDEX)
        if known >= 3:
            best = (number, values)
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if best is None and not seen_content:
        raise FileProblem(
            "empty",
            {
                "file": [
                    Reason("file.empty", "文件为空，没有表头和数据", "The file is empty: no header, no rows")
                ]
            },
        )
    number, values = best if best is not None else (1, ())
    positions: dict[str, int] = {}
    ignored: list[str] = []
    duplicates: dict[str, list[Reason]] = {}
    for i, v in enumerate(values):
        column = _HEADER_INDEX.get(normal(v))
        if column is None:
            if normal(v):
                ignored.append(str(v).strip())
        elif column.field in positions:
            duplicates[column.header] = [
                Reason(
                    "file.duplicate_column",
                    f"表头“{column.header}”出现了两次",
                    f"The column “{column.header}” appears twice",
                )
            ]
        else:
            positions[column.field] = i
    missing = {
        c.header: [
            Reason(
                "file.missing_column",
                f"缺少必需的列“{c.header}”",
                f"The required column “{c.header}” is missing",
            )
        ]
        for c in COLUMNS
        if c.required and c.field not in positions
    }
    if missing or duplicates:
        raise FileProblem("columns", {**missing, **duplicates})
    return Header(number, positions, ignored)


# -- export ---------------------------------------------------------------------------------------


def export_row(
    household: dict[str, Any],
    member: dict[str, Any],
    village_name: str,
    mask_id: Callable[[str], str] | None = None,
    mask_account: Callable[[str], str] | None = None,
    mask_phone: Callable[[str], str] | None = None,
) -> list[Any]:
    """One member's row in the import layout, codes as Chinese labels; masks applied when given."""
    h, m = household, member
    account = h["bank_account"]
    number = m.get("id_number") or ""
    values = {
        "key": str(h["id"]),
        "village_code": h["village_code"],
        "village_name": village_name,
        "address": h.get("address") or "",
        "status": LABELS["status"][h["status"]],
        "monitoring": LABELS["monitoring"][h.get("monitoring") or "none"],
        "monitoring_set_on": h.get("monitoring_set_on"),
        "attribute": LABELS["attribute"][h["attribute"]],
        "main_cause": LABELS["cause"][h["main_cause"]],
        "secondary_causes": "、".join(LABELS["cause"][c] for c in h.get("secondary_causes") or []),
        "income_per_head": format_money(h["income_per_head"]),
        "account_type": LABELS["account_type"][h["account_type"]],
        "bank_account": mask_account(account) if mask_account else account,
        "bank_name": h["bank_name"],
        "name": m["name"],
        "id_number": mask_id(number) if mask_id and number else number,
        "no_id_reason": m.get("no_id_reason") or "",
        "relation": LABELS["relation"][m["relation"]],
        "labour": LABELS["labour"][m["labour"]],
        "phone": mask_phone(m["phone"]) if mask_phone and m.get("phone") else m.get("phone") or "",
    }
    return [values[c.field] for c in COLUMNS]
