"""Bulk import and export of the household register (建档立卡花名册), in the layout of ``register_layout``.

Import (clerks only, every village inside the clerk's region and inside the
``village_scope`` they name):

- a dry run parses and checks the whole file and reports every bad row (row
  number as in the spreadsheet, column header, reason in Chinese and English);
  it writes nothing, not even an audit event;
- a real run checks the same way and then writes every household and member in
  one transaction, or nothing when any row is bad (``ImportRefused``, 422,
  carrying the same report). It only registers new households: an ID number
  already in the database is refused, as is one person twice in the file;
- a real run is recorded as ONE audit event ``household.import`` on the
  county's chain: file name, SHA-256, format, scope, counts of households and
  members, and the ids of the households it created (as ranges). There is no
  event per household: the import event is their ``household.register``.

Export writes the households the caller may see in the same layout (so a whole
export re-imports into an empty register); ID numbers and accounts are whole
for the roles whose work needs them (``can_see_full_identity``: clerk, bank
officer, approver) and masked for the others (supervisor). An admin sees no
households and may not export.

A file of more than ``HOUSEHOLD_IMPORT_SYNC_ROWS`` rows (a dry run or a real
run) is imported by a background job (``start_import``): the request answers
at once with the job, the worker parses with its progress on the job row, and
the report is the job's result (its errors when refused). One import at a time
per county; no file of more than ``HOUSEHOLD_IMPORT_MAX_ROWS`` rows (the parse
stops there).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from flask import current_app
from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, tasks, uow
from loanflow.core.domain.reasons import Reason
from loanflow.core.errors import Forbidden, Invalid, msg
from loanflow.core.regions import Region
from loanflow.core.scope import in_region
from loanflow.extensions import db
from loanflow.households.domain.register_layout import BY_FIELD, FileProblem, RowError
from loanflow.households.domain.register_rows import ParsedRegister, read_register
from loanflow.households.models import Member
from loanflow.households.register_export import ExportResult, export_households  # noqa: F401 (one module to import)
from loanflow.households.register_files import iter_rows, sniff
from loanflow.households.register_write import CHUNK, write_register
from loanflow.jobs import services as jobs
from loanflow.jobs.models import Job

JOB_KIND = "household_import"
PROGRESS_EVERY = 1000


class UnsupportedFile(Invalid):
    """The upload is not an xlsx or csv spreadsheet (415)."""

    status = 415
    title = "Unsupported file"
    title_zh = "不支持的文件"


class ImportRefused(Invalid):
    """A real import with bad rows: nothing was written; ``report`` lists every bad row."""

    def __init__(self, report: ImportReport):
        first = report.errors[0]
        errors: dict[str, list[Reason]] = {}
        for e in report.errors:
            errors.setdefault(f"row {e.row} {e.column}", []).append(e.reason)
        super().__init__(
            errors,
            msg(
                f"有 {len(report.errors)} 处错误，未导入任何农户；第 {first.row} 行“{first.column}”：{first.reason.zh}",
                f"{len(report.errors)} errors, nothing imported; row {first.row} “{first.column}”: {first.reason.en}",
            ),
        )
        self.report = report


@dataclass
class ImportReport:
    file_name: str
    sha256: str
    format: str
    village_scope: str
    dry_run: bool
    households: int = 0
    members: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False
    household_ids: list[list[int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _file_refused(problem: FileProblem) -> Invalid:
    cls = UnsupportedFile if problem.kind == "not_spreadsheet" else Invalid
    return cls({k: list(v) for k, v in problem.reasons.items()})


def _check_actor(actor: User, village_scope: str | None) -> str:
    if actor.role != "clerk":
        raise Forbidden(msg("只有经办员可以批量导入农户", "Only a clerk may import households"))
    scope = village_scope or actor.region_code
    if not (scope.isdigit() and len(scope) in (6, 9, 12)):
        raise Invalid(
            {
                "village_scope": [
                    msg("导入范围应为 6、9 或 12 位区划代码", "The scope is a 6, 9 or 12-digit code")
                ]
            }
        )
    if not in_region(actor, scope):
        raise Forbidden(
            msg(
                f"导入范围 {scope} 超出您的辖区",
                f"The scope {scope} is outside your region {actor.region_code}",
            )
        )
    return scope


def _check_villages(actor: User, scope: str, parsed: ParsedRegister) -> None:
    """Every household's village exists, lies in the scope and the clerk's region, and matches 村名称."""
    codes = {h.data["village_code"] for h in parsed.households if h.data.get("village_code")}
    names = (
        dict(
            db.session.execute(
                select(Region.code, Region.name).where(Region.code.in_(codes), Region.level == "village")
            ).all()
        )
        if codes
        else {}
    )
    column, name_column = BY_FIELD["village_code"], BY_FIELD["village_name"]
    for h in parsed.households:
        code = h.data.get("village_code")
        if not code:
            continue
        if code not in names:
            reason = Reason(
                "village_code.unknown", f"村代码 {code} 不存在", f"No village has the code {code}"
            )
        elif not (code.startswith(scope) and in_region(actor, code)):
            reason = Reason(
                "village_code.outside",
                f"村 {code} 不在导入范围 {scope} 内",
                f"Village {code} is outside the import scope {scope}",
            )
        elif h.data.get("village_name") and h.data["village_name"] != names[code]:
            parsed.errors.append(
                RowError(
                    h.first_row,
                    name_column.header,
                    Reason(
                        "village_name.mismatch",
                        f"村代码 {code} 是“{names[code]}”，不是“{h.data['village_name']}”",
                        f"The village {code} is “{names[code]}”, not “{h.data['village_name']}”",
                    ),
                )
            )
            h.bad = True
            continue
        else:
            continue
        parsed.errors.append(RowError(h.first_row, column.header, reason))
        h.bad = True


def _check_registered(parsed: ParsedRegister) -> None:
    """One person, one household against the database, in batches."""
    rows = {m["id_number"]: m["_row"] for h in parsed.households for m in h.members if m.get("id_number")}
    numbers = list(rows)
    for i in range(0, len(numbers), CHUNK):
        chunk = numbers[i : i + CHUNK]
        for number, household_id in db.session.execute(
            select(Member.id_number, Member.household_id).where(Member.id_number.in_(chunk))
        ):
            parsed.errors.append(
                RowError(
                    rows[number],
                    BY_FIELD["id_number"].header,
                    Reason(
                        "id_number.other_household",
                        f"此身份证号码已登记在农户 {household_id}（一人一户）",
                        f"This ID number is already registered in household {household_id} (one person, one household)",
                    ),
                )
            )


def _capped(
    rows: Iterator[tuple[int, Sequence[Any]]], progress: Callable[[int], None] | None
) -> Iterator[tuple[int, Sequence[Any]]]:
    """The rows, refused beyond the row cap, with the count reported as it goes."""
    cap = int(current_app.config.get("HOUSEHOLD_IMPORT_MAX_ROWS", 50_000))
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 (the count after the loop is the total)
        if count > cap + 1:  # + the header row
            raise Invalid(
                {
                    "file": [
                        msg(
                            f"文件超过 {cap} 行，请分村或分乡镇导入",
                            f"The file has more than {cap} rows; import it village by village",
                            "file.too_many_rows",
                        )
                    ]
                }
            )
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
        yield row
    if progress is not None:
        progress(count)


def check_file(
    actor: User,
    data: bytes,
    village_scope: str | None = None,
    progress: Callable[[int], None] | None = None,
    rows: list[tuple[int, Sequence[Any]]] | None = None,
) -> tuple[ParsedRegister, str, str]:
    """Parse and check a whole file against the rules and the database; raise only for file-level problems.

    ``rows``: the file's rows when they were read already (``small_file``), so a file is read once."""
    scope = _check_actor(actor, village_scope)
    try:
        fmt = sniff(data)
        source = iter(rows) if rows is not None else iter_rows(data, fmt)
        parsed = read_register(_capped(source, progress), clock.today())
    except FileProblem as problem:
        raise _file_refused(problem) from None
    _check_villages(actor, scope, parsed)
    _check_registered(parsed)
    parsed.errors.sort(key=lambda e: e.row)
    return parsed, fmt, scope


def import_households(
    actor: User,
    data: bytes,
    file_name: str,
    *,
    village_scope: str | None = None,
    dry_run: bool = True,
    progress: Callable[[int], None] | None = None,
    rows: list[tuple[int, Sequence[Any]]] | None = None,
) -> ImportReport:
    """Import a register file: a dry run reports, a real run writes all rows or none (one audit event).

    ``rows``: the file's rows if ``small_file`` read them already."""
    parsed, fmt, scope = check_file(actor, data, village_scope, progress, rows)
    report = ImportReport(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        village_scope=scope,
        dry_run=dry_run,
        households=len(parsed.households),
        members=parsed.member_count,
        errors=parsed.errors,
        ignored_columns=parsed.ignored_columns,
    )
    if dry_run:
        db.session.rollback()
        return report
    if report.errors:
        db.session.rollback()
        raise ImportRefused(report)
    ids = write_register(parsed)
    report.written, report.household_ids = True, _ranges(ids)
    audit.record(
        actor,
        "household.import",
        "household_import",
        report.sha256[:40],
        chain=scope[:6],
        after={
            "file_name": file_name,
            "sha256": report.sha256,
            "format": fmt,
            "village_scope": scope,
            "households": report.households,
            "members": report.members,
            "household_ids": report.household_ids,
        },
        reason=f"批量导入 {file_name}",
    )
    uow.flush()
    return report


def _ranges(ids: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


@dataclass(frozen=True)
class Sized:
    """What ``small_file`` found: a file for a background job, or the rows of one to check in the request."""

    in_background: bool
    rows: list[tuple[int, Sequence[Any]]] | None = None


def small_file(data: bytes) -> Sized:
    """A file of more rows than ``HOUSEHOLD_IMPORT_SYNC_ROWS`` is imported by a background job; a smaller
    one is checked in the request, from the rows read here (a file is read once: reading an xlsx is most
    of a dry run's time). A file that cannot be read is not a job: the request refuses it at once."""
    limit = int(current_app.config.get("HOUSEHOLD_IMPORT_SYNC_ROWS", 1000))
    try:
        rows = list(islice(iter_rows(data, sniff(data)), limit + 2))
    except FileProblem:
        return Sized(False)  # refused at once, as for a small file (the check reads it again and says why)
    return Sized(True) if len(rows) > limit + 1 else Sized(False, rows)  # + the header


def start_import(
    actor: User, data: bytes, file_name: str, *, village_scope: str | None = None, dry_run: bool = True
) -> Job:
    """Queue the import of a big file as a job (one per county at a time: 409); the worker reports on it."""
    scope = _check_actor(actor, village_scope)
    return jobs.start(
        actor,
        JOB_KIND,
        lock_key=scope[:6],
        region_code=scope,
        work=import_job,
        payload=data,
        payload_name=file_name,
        params={"village_scope": scope, "dry_run": dry_run},
    )


@tasks.task()
def import_job(job_id: int) -> None:
    """The worker's side of ``start_import``."""
    jobs.run(job_id, _import_from_job)


def _import_from_job(job: Job, progress: jobs.Progress) -> dict:
    actor = db.session.get(User, job.created_by_id)
    data, name, params = job.payload or b"", job.payload_name, dict(job.params)

    def counted(done: int) -> None:
        progress(done, None)
        uow.commit()  # the count is seen while the file is still being read (nothing else is written yet)

    try:
        report = import_households(
            actor,
            data,
            name,
            village_scope=params["village_scope"],
            dry_run=params["dry_run"],
            progress=counted,
        )
    except ImportRefused as refused:
        refused.report_json = report_json(refused.report)
        raise
    return report_json(report)


def report_json(report: ImportReport) -> dict:
    """The report as the API shows it (``ImportReportOut``), for a job's result."""
    return {
        "file_name": report.file_name,
        "sha256": report.sha256,
        "format": report.format,
        "village_scope": report.village_scope,
        "dry_run": report.dry_run,
        "ok": report.ok,
        "written": report.written,
        "households": report.households,
        "members": report.members,
        "bad_rows": len({e.row for e in report.errors}),
        "errors": [{"row": e.row, "column": e.column, **e.reason.as_dict()} for e in report.errors],
        "ignored_columns": list(report.ignored_columns),
        "household_ids": report.household_ids,
    }
