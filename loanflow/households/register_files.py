"""Spreadsheet files of the register: read xlsx and csv row by row, write them streaming.

xlsx is read with openpyxl in read-only mode (first worksheet, cached values of
formulas) and written in write-only mode, so neither holds the whole sheet.
csv is read as UTF-8 (with or without BOM), else GB18030 (Excel on Chinese
Windows saves "CSV" in the ANSI code page), else UTF-16 with a BOM ("Unicode
text", tab-separated); the delimiter is a tab when the first line has more tabs
than commas. csv is written as UTF-8 with a BOM so that Excel shows the Chinese.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import IO, Any

from loanflow.core.domain.reasons import Reason
from loanflow.households.domain.register_layout import HEADERS, FileProblem

FORMATS = ("xlsx", "csv")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_BINARY_MAGIC = {
    b"\xd0\xcf\x11\xe0": "旧版 Excel（.xls）文件，请另存为 .xlsx / an old Excel (.xls) file; save it as .xlsx",
    b"%PDF": "PDF 文件 / a PDF file",
    b"\x89PNG": "图片 / an image",
    b"\xff\xd8\xff": "图片 / an image",
}


def _not_spreadsheet(what: str) -> FileProblem:
    return FileProblem(
        "not_spreadsheet",
        {
            "file": [
                Reason(
                    "file.not_spreadsheet",
                    f"不是 xlsx 或 csv 表格（{what.split(' / ')[0]}）",
                    f"Not an xlsx or csv spreadsheet ({what.split(' / ')[-1]})",
                )
            ]
        },
    )


def sniff(data: bytes) -> str:
    """``"xlsx"`` or ``"csv"`` from the bytes themselves (a file name can lie)."""
    if not data.strip():
        raise FileProblem(
            "empty",
            {
                "file": [
                    Reason("file.empty", "文件为空，没有表头和数据", "The file is empty: no header, no rows")
                ]
            },
        )
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise _not_spreadsheet(what)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if not any(n.startswith("xl/") and n.endswith("workbook.xml") for n in z.namelist()):
                    raise _not_spreadsheet("其他 zip 文件 / another kind of zip file")
        except zipfile.BadZipFile:
            raise _not_spreadsheet("损坏的 zip 文件 / a damaged zip file") from None
        return "xlsx"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_spreadsheet("二进制文件 / a binary file")
    return "csv"


def decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _not_spreadsheet("无法识别的文字编码 / an unknown text encoding") from None


def iter_rows(data: bytes, fmt: str) -> Iterator[tuple[int, Sequence[Any]]]:
    """(row number as the spreadsheet shows it, cell values) for every row of the first sheet."""
    if fmt == "xlsx":
        yield from _xlsx_rows(data)
        return
    try:
        text = decode_csv(data)
    except UnicodeDecodeError:
        raise _not_spreadsheet("无法识别的文字编码 / an unknown text encoding") from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        yield from enumerate(([_formula_text_back(v) for v in row] for row in rows), start=1)
    except csv.Error as e:
        raise _not_spreadsheet(f"csv 格式错误 / malformed csv: {e}") from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged workbook
        raise _not_spreadsheet(
            f"无法打开的 xlsx / an xlsx that cannot be opened: {type(e).__name__}"
        ) from None
    try:
        if not wb.worksheets:
            return
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # some writers store a wrong size; read to the real end
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
    finally:
        wb.close()


def write_xlsx(rows: Iterable[Sequence[Any]], out: IO[bytes]) -> None:
    """The header and the rows into one worksheet, streaming; text is never taken for a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("建档立卡户")
    ws.append(list(HEADERS))
    for row in rows:
        out_row: list[Any] = []
        for value in row:
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell = WriteOnlyCell(ws, value)
                cell.data_type = "s"
                out_row.append(cell)
            else:
                out_row.append(value)
        ws.append(out_row)
    wb.save(out)


# A cell starting with one of these is a formula to Excel and LibreOffice (``=HYPERLINK(…)``, ``+…``,
# ``-…``, ``@…``, or a tab or return before one): CSV has no text type, so such a value is written
# after a ``'`` (OWASP's CSV injection advice), which a spreadsheet shows as text; our import drops it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _formula_text_back(value: str) -> str:
    """What ``_as_text`` wrote, read back: ``'=HYPERLINK(…)`` → ``=HYPERLINK(…)``."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def write_csv(rows: Iterable[Sequence[Any]], out: IO[bytes]) -> None:
    """The header and the rows as CSV (UTF-8 with BOM); text is never taken for a formula."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_as_text(v) for v in row])
    text.flush()
    text.detach()
