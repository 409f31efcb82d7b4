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
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from loanflow.domain.household import check_account, check_members, check_monitoring
from loanflow.domain.labels import LABELS, codes
from loanflow.domain.money import MoneyError, format_money, parse_money
from loanflow.domain.reasons import Reason

HEADER_SEARCH_ROWS = 10
MAX_MEMBERS = 30
EXCEL_EXACT_DIGITS = 15  # a number cell keeps 15 significant digits


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

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, **self.reason.as_dict()}


class FileProblem(ValueError):
    """The file as a whole cannot be read as the register: not a spreadsheet, empty, columns missing."""

    def __init__(self, kind: str, reasons: dict[str, list[Reason]]):
        super().__init__("; ".join(r.en for rs in reasons.values() for r in rs))
        self.kind = kind
        self.reasons = reasons


def _normal(header: object) -> str:
    text = "" if header is None else str(header)
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text)


_HEADER_INDEX = {_normal(a): c for c in COLUMNS for a in (c.header, *c.aliases)}


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
        known = sum(1 for v in values if _normal(v) in _HEADER_INDEX)
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
        column = _HEADER_INDEX.get(_normal(v))
        if column is None:
            if _normal(v):
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


# -- cells -----------------------------------------------------------------------------------------


class CellError(ValueError):
    def __init__(self, code: str, zh: str, en: str):
        super().__init__(en)
        self.reason = Reason(code, zh, en)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value).strip()


_LABEL_INDEX = {kind: {_normal(zh): code for code, zh in LABELS[kind].items()} for kind in LABELS}


_CODES = {kind: frozenset(codes(kind)) for kind in LABELS}
_DIRECT = {
    kind: {**{c: c for c in LABELS[kind]}, **{zh: c for c, zh in LABELS[kind].items()}} for kind in LABELS
}


def _code(kind: str, raw: str) -> str:
    code = _DIRECT[kind].get(raw)
    if code is not None:
        return code
    code = _LABEL_INDEX[kind].get(_normal(raw)) or (raw.lower() if raw.lower() in _CODES[kind] else None)
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
    raw = _text(value)
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
    raw = _text(value).replace(",", "")
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
    return _text(value)


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
        return None if _text(value) == "" else _date(value)
    elif column.field == "income_per_head":
        if _text(value) == "":
            raise CellError("required", f"“{column.header}”不能为空", f"“{column.header}” is required")
        return _money(value)
    else:
        raw = _text(value)
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


# -- rows and households ---------------------------------------------------------------------------


@dataclass
class ParsedHousehold:
    key: str
    first_row: int
    data: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict)  # the first row's household cells, as read
    member_rows: list[int] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    bad: bool = False


@dataclass
class ParsedRegister:
    households: list[ParsedHousehold]
    errors: list[RowError]
    ignored_columns: list[str]

    @property
    def member_count(self) -> int:
        return sum(len(h.members) for h in self.households)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _is_blank(values: Sequence[Any]) -> bool:
    return all(_blank(v) for v in values)


class RegisterReader:
    """Feed it the rows after the header, one at a time; ``finish`` checks each household's rules."""

    def __init__(self, header: Header, today: date):
        self.header, self.today = header, today
        self.households: dict[str, ParsedHousehold] = {}
        self.errors: list[RowError] = []
        self._cells: set[tuple[int, str]] = set()
        self._last_key: str | None = None

    def _error(self, row: int, column: Column, reason: Reason) -> None:
        self.errors.append(RowError(row, column.header, reason))
        self._cells.add((row, column.header))

    def add_row(self, number: int, values: Sequence[Any]) -> None:
        if _is_blank(values):
            return
        parsed: dict[str, Any] = {}
        bad: set[str] = set()
        key = self._key_of(values)
        known = self.households.get(key) if key is not None else None
        if known is not None:
            parsed["key"] = key
        width = len(values)
        for f, pos in self.header.positions.items():
            column = BY_FIELD[f]
            value = values[pos] if pos < width else None
            if (
                known is not None
                and column.household
                and (f == "key" or _blank(value) or value == known.raw.get(f))
            ):
                continue  # a later row of a household (or a merged cell) repeats or inherits its value
            try:
                parsed[f] = parse_cell(column, value)
            except CellError as e:
                self._error(number, column, e.reason)
                bad.add(f)
        key = parsed.get("key")
        if key is None:
            return
        self._last_key = key
        member = {c.field: parsed.get(c.field) for c in MEMBER_COLUMNS}
        member["_row"], member["_bad"] = number, bad & {c.field for c in MEMBER_COLUMNS}
        h = self.households.get(key)
        if h is None:
            data = {c.field: parsed.get(c.field) for c in HOUSEHOLD_COLUMNS if c.field != "key"}
            raw = {
                c.field: values[p]
                for c in HOUSEHOLD_COLUMNS
                if (p := self.header.positions.get(c.field, width)) < width
            }
            h = self.households[key] = ParsedHousehold(key, number, data, raw, bad=bool(bad))
        else:
            self._same_household(h, number, values, parsed, bad)
        if len(h.members) >= MAX_MEMBERS:
            self._error(
                number,
                BY_FIELD["key"],
                Reason(
                    "members.too_many",
                    f"每户最多 {MAX_MEMBERS} 人",
                    f"At most {MAX_MEMBERS} members a household",
                ),
            )
            h.bad = True
            return
        h.member_rows.append(number)
        h.members.append(member)
        h.bad = h.bad or bool(bad)

    def _key_of(self, values: Sequence[Any]) -> str | None:
        """The row's 户编号; a blank one continues the household of the row above (merged cells)."""
        pos = self.header.positions["key"]
        key = _text(values[pos]) if pos < len(values) else ""
        return key or self._last_key

    def _same_household(self, h: ParsedHousehold, number: int, values, parsed: dict, bad: set) -> None:
        """A later row of a household repeats its columns; a blank cell inherits, a different one is refused."""
        for column in HOUSEHOLD_COLUMNS:
            f = column.field
            if f == "key" or f in bad or f not in parsed:
                continue
            if h.data.get(f) in (None, "", []):
                h.data[f] = parsed[f]
            elif parsed[f] != h.data[f]:
                self._error(
                    number,
                    column,
                    Reason(
                        "household.inconsistent",
                        f"与本户第 {h.first_row} 行的“{column.header}”不一致",
                        f"Differs from “{column.header}” on row {h.first_row} of the same household",
                    ),
                )
                h.bad = True

    def finish(self) -> ParsedRegister:
        """Check each household (one head, ID numbers, account, monitoring date) and one person, one household."""
        first_row_of: dict[str, tuple[int, str]] = {}
        for h in self.households.values():
            self._check_household(h)
            for m in h.members:
                number = m.get("id_number")
                if not number or "id_number" in m["_bad"]:
                    continue
                if number in first_row_of and first_row_of[number][1] != h.key:
                    self._error(
                        m["_row"],
                        BY_FIELD["id_number"],
                        Reason(
                            "id_number.twice_in_file",
                            f"与第 {first_row_of[number][0]} 行是同一身份证号码（一人一户）",
                            f"The same ID number as row {first_row_of[number][0]} (one person, one household)",
                        ),
                    )
                    h.bad = True
                first_row_of.setdefault(number, (m["_row"], h.key))
        self.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else 99))
        return ParsedRegister(list(self.households.values()), self.errors, self.header.ignored)

    def _check_household(self, h: ParsedHousehold) -> None:
        errors: dict[str, list[Reason]] = {}
        d = h.data
        if "monitoring" not in self.header.positions:
            d["monitoring"] = "none"
        if d.get("monitoring") is not None:
            check_monitoring(d, errors)
        if d.get("account_type") and d.get("bank_account"):
            check_account(d["account_type"], d["bank_account"], errors)
        members = [{k: v for k, v in m.items() if not k.startswith("_")} for m in h.members]
        for m, raw in zip(members, h.members, strict=True):
            if "id_number" in raw["_bad"]:
                m["no_id_reason"] = m.get("no_id_reason") or "-"  # already reported on the ID column
        checked = check_members(members, self.today, errors)
        for m, raw in zip(checked, h.members, strict=True):
            raw.update({k: m.get(k) for k in ("id_number", "birth_date", "sex", "no_id_reason")})
        for key, reasons in errors.items():
            row, column = self._where(h, key)
            for reason in reasons:
                if reason.code == "id_number.duplicate":
                    reason = Reason(
                        reason.code, "本户内身份证号码重复", "The same ID number twice in this household"
                    )
                if (row, column.header) not in self._cells:
                    self._error(row, column, reason)
            h.bad = True

    @staticmethod
    def _where(h: ParsedHousehold, key: str) -> tuple[int, Column]:
        match = re.fullmatch(r"members\[(\d+)\]\.(\w+)", key)
        if match:
            return h.member_rows[int(match.group(1))], BY_FIELD[match.group(2)]
        if key == "members":
            return h.first_row, BY_FIELD["relation"]
        return h.first_row, BY_FIELD.get(key, BY_FIELD["key"])


def read_register(rows: Iterable[tuple[int, Sequence[Any]]], today: date) -> ParsedRegister:
    """Parse and check a whole sheet given as (row number, cell values) pairs."""
    iterator = iter(rows)
    consumed: list[tuple[int, Sequence[Any]]] = []

    def head():
        for item in iterator:
            consumed.append(item)
            yield item

    header = find_header(head())
    reader = RegisterReader(header, today)
    for number, values in consumed:
        if number > header.row:
            reader.add_row(number, values)
    for number, values in iterator:
        reader.add_row(number, values)
    if not reader.households and not reader.errors:
        raise FileProblem(
            "empty",
            {
                "file": [
                    Reason("file.no_rows", "文件只有表头，没有数据行", "The file has a header but no rows")
                ]
            },
        )
    return reader.finish()


# -- export ----------------------------------------------------------------------------------------


def export_row(
    household: dict[str, Any],
    member: dict[str, Any],
    village_name: str,
    mask_id: Callable[[str], str] | None = None,
    mask_account: Callable[[str], str] | None = None,
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
        "phone": m.get("phone") or "",
    }
    return [values[c.field] for c in COLUMNS]
