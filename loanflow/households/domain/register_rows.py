"""Reading the register sheet row by row into households, and checking each household's rules.

Reuses the rules of ``domain.household`` (one head, ID numbers, Luhn, phones,
the monitoring date) and adds one person, one household within the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from loanflow.core.domain.reasons import Reason
from loanflow.households.domain.household import check_account, check_members, check_monitoring
from loanflow.households.domain.register_cells import CellError, parse_cell, text
from loanflow.households.domain.register_layout import (
    BY_FIELD,
    HEADERS,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    Column,
    FileProblem,
    Header,
    RowError,
    find_header,
)

MAX_MEMBERS = 30


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
        key = text(values[pos]) if pos < len(values) else ""
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
