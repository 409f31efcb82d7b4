"""The dry run's bad cells marked in the clerk's own sheet (xlsx), and the checked upload kept for the import.

``write_marked`` copies the uploaded rows where they were (row numbers match the report), fills
every bad cell red with its reason as a cell comment, and adds a last column listing the row's
reasons; an error of a whole row (a second head, say) marks the row's first cell.

``keep_upload``/``kept_upload`` hold the file a dry run checked until the clerk imports it, so the
import runs on exactly the bytes that were checked (its SHA-256 names it) without a second upload.
It lives in the instance folder, readable only by the one who uploaded it, and is removed once
imported or after ``KEEP_FOR``.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from typing import IO

from flask import current_app

from loanflow.core.errors import NotFound, msg
from loanflow.households.domain.register_layout import COLUMNS, RowError, find_header
from loanflow.households.register_files import FORMULA_STARTS, iter_rows, sniff

KEEP_FOR = 24 * 3600  # seconds an unimported upload is kept
BAD_FILL = "FFC7CE"  # the spreadsheet's own "bad" red
REASONS_HEADER = "错误说明"
TOKEN = re.compile(r"[0-9a-f]{64}")


def write_marked(data: bytes, errors: list[RowError], out: IO[bytes]) -> None:
    """The upload as xlsx with each bad cell filled red, its reason in a comment and in a last column."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    rows = list(iter_rows(data, sniff(data)))
    header = find_header(iter(rows))
    position = {c.header: header.positions[c.field] for c in COLUMNS if c.field in header.positions}
    width = max((len(values) for _, values in rows), default=0)
    wb = Workbook()
    ws = wb.active
    ws.title = "导入检查"
    for number, values in rows:
        for i, value in enumerate(values):
            cell = ws.cell(row=number, column=i + 1, value=value)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
    ws.cell(row=header.row, column=width + 1, value=REASONS_HEADER)
    by_cell: dict[tuple[int, int], list[str]] = {}
    for e in errors:
        by_cell.setdefault((e.row, position.get(e.column, 0)), []).append(f"{e.column}：{e.reason.zh}")
    fill = PatternFill(fill_type="solid", start_color=BAD_FILL, end_color=BAD_FILL)
    by_row: dict[int, list[str]] = {}
    for (row, col), reasons in by_cell.items():
        cell = ws.cell(row=row, column=col + 1)
        cell.fill = fill
        cell.comment = Comment("\n".join(reasons), "loanflow")
        by_row.setdefault(row, []).extend(reasons)
    for row, reasons in by_row.items():
        ws.cell(row=row, column=width + 1, value="；".join(reasons)).fill = fill
    wb.save(out)


def _folder() -> str:
    path = os.path.join(current_app.instance_path, "imports")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _path(user_id: int, token: str) -> str:
    return os.path.join(_folder(), f"{user_id}-{token}")


def keep_upload(user_id: int, data: bytes) -> str:
    """Keep a checked upload for its import; the token is its SHA-256. Old ones are removed."""
    token = hashlib.sha256(data).hexdigest()
    folder, now = _folder(), time.time()
    for name in os.listdir(folder):
        if now - os.path.getmtime(os.path.join(folder, name)) > KEEP_FOR:
            os.remove(os.path.join(folder, name))
    fd = os.open(_path(user_id, token), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return token


def kept_upload(user_id: int, token: str) -> bytes:
    """The upload this user checked under ``token``; 404 when there is none (expired, or another's)."""
    path = _path(user_id, token) if TOKEN.fullmatch(token) else ""
    if not path or not os.path.exists(path):
        raise NotFound(
            msg("找不到已检查的文件，请重新上传", "The checked file is no longer here; upload it again")
        )
    with open(path, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != token:
        raise NotFound(msg("文件已损坏，请重新上传", "The kept file is damaged; upload it again"))
    return data


def drop_upload(user_id: int, token: str) -> None:
    if TOKEN.fullmatch(token) and os.path.exists(_path(user_id, token)):
        os.remove(_path(user_id, token))
