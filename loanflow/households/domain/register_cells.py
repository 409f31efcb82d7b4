"""Cells of the register spreadsheet: one value each, from text, number or date cells, or a bilingual refusal.

Codes are accepted as the Chinese label or the English code; money as yuan
with at most two decimals; identifiers from number cells only while Excel kept
every digit (15 significant digits).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from loanflow.core.domain.labels import LABELS, codes
from loanflow.core.domain.money import MoneyError, parse_money
from loanflow.core.domain.reasons import Reason
from loanflow.households.domain.register_layout import Column, normal

EXCEL_EXACT_DIGITS = 15  # a number cell keeps 15 significant digits


class CellError(ValueError):
    def __init__(self, code: str, zh: str, en: str):
        super().__init__(en)
        self.reason = Reason(code, zh, en)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value).strip()


_LABEL_INDEX = {kind: {normal(zh): code for code, zh in LABELS[kind].items()} for kind in LABELS}


_CODES = {kind: frozenset(codes(kind)) for kind in LABELS}
_DIRECT = {
    kind: {**{c: c for c in LABELS[kind]}, **{zh: c for c, zh in LABELS[kind].items()}} for kind in LABELS
}


def _code(kind: str, raw: str) -> str:
    code = _DIRECT[kind].get(raw)
    if code is not None:
        return code
    code = _LABEL_INDEX[kind].get(normal(raw)) or (raw.lower() if raw.lower() in _CODES[kind] else None)
    if code is None:
        allowed = "、".join(LABELS[kind].values())
        raise CellError(
            f"{kind}.unknown", f"“{raw}”不是可选值（可选：{allowed}）", f"“{raw}” is not one of: {allowed}"
        )
    return code


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else _date_formats(raw)
    except ValueError:
        return _date_formats(raw)


def _date_formats(raw: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 (a calendar date, no time zone)
        except ValueError:
            continue
    raise CellError(
        "date.format", f"“{raw}”不是有效日期（如 2025-06-30）", f"“{raw}” is not a date like 2025-06-30"
    )


def _money(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("money.format", "金额应为数字", "The amount must be a number")
    if isinstance(value, int | float):
        try:
            value = format(Decimal(repr(value)).normalize(), "f") if isinstance(value, float) else str(value)
        except InvalidOperation:
            raise CellError("money.format", "金额应为数字", "The amount must be a number") from None
    raw = text(value).replace(",", "")
    try:
        return parse_money(raw)
    except MoneyError as e:
        raise CellError(e.reason.code, e.reason.zh, e.reason.en) from None


def _digits_cell(value: Any, what_zh: str, what_en: str) -> str:
    """An identifier from a cell: a number cell is only trusted while Excel kept every digit."""
    if isinstance(value, float) and not value.is_integer():
        raise CellError("cell.number", f"{what_zh}不应是小数", f"The {what_en} must not be a decimal number")
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        if len(digits) > EXCEL_EXACT_DIGITS:
            raise CellError(
                "cell.number_precision",
                f"{what_zh}单元格是数字格式，Excel 只保留 15 位有效数字，号码已失真；请将该列设为文本后重新录入",
                f"The {what_en} is in a number cell; Excel keeps only 15 digits, so the number is corrupted. "
                "Format the column as text and type it again",
            )
        return digits
    return text(value)


def parse_cell(column: Column, value: Any) -> Any:
    """The value of one cell, or ``CellError``; blank optional cells give their default."""
    if column.field == "id_number":
        raw = _digits_cell(value, "身份证号码", "ID number")
        if isinstance(value, int | float) and raw:
            raise CellError(
                "cell.number_precision",
                "身份证号码单元格是数字格式，号码已失真；请将该列设为文本后重新录入",
                "The ID number is in a number cell and has lost digits; format the column as text and type it again",
            )
        return raw or None
    if column.field in ("bank_account", "phone"):
        raw = _digits_cell(value, column.header, column.field.replace("_", " ")).replace(" ", "")
    elif column.field == "monitoring_set_on":
        return None if text(value) == "" else _date(value)
    elif column.field == "income_per_head":
        if text(value) == "":
            raise CellError("required", f"“{column.header}”不能为空", f"“{column.header}” is required")
        return _money(value)
    else:
        raw = text(value)
    if raw == "":
        if column.required:
            raise CellError("required", f"“{column.header}”不能为空", f"“{column.header}” is required")
        return [] if column.field == "secondary_causes" else ("none" if column.field == "monitoring" else "")
    if column.max_length and len(raw) > column.max_length:
        raise CellError(
            "too_long",
            f"“{column.header}”最多 {column.max_length} 个字",
            f"“{column.header}” is longer than {column.max_length} characters",
        )
    if column.field == "village_code" and not re.fullmatch(r"\d{12}", raw):
        raise CellError("village_code.format", "村代码应为 12 位数字", "The village code must be 12 digits")
    if column.field == "secondary_causes":
        return [_code("cause", part) for part in re.split(r"[、,，;；/\s]+", raw) if part]
    if column.kind:
        return _code(column.kind, raw)
    return raw
