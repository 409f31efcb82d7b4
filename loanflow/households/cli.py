"""``flask loanflow import-households`` and ``export-households``: the register as a spreadsheet.

Both act as a named user (``--as``), with that user's role and region, exactly
as the API would: the import needs a clerk, the export masks ID numbers and
accounts for roles that do not need them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

EXIT_BAD_ROWS = 2
cli = AppGroup("households", help="Household register commands (filed under flask loanflow).")


def _user(username: str):
    from loanflow.accounts.models import User
    from loanflow.extensions import db

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        click.echo(f"no active user {username}", err=True)
        sys.exit(EXIT_BAD_ROWS)
    return user


def _refusal(error) -> None:
    from loanflow.core.errors import text

    click.echo(f"{text(error.message, 'zh')} / {text(error.message, 'en')}", err=True)
    for field, messages in getattr(error, "errors", {}).items():
        for m in messages:
            click.echo(f"  {field}: {text(m, 'zh')} / {text(m, 'en')}", err=True)


def _print_report(report, as_json: bool) -> None:
    if as_json:
        from loanflow.households.schemas import ImportReportOut

        shown = ImportReportOut(exclude=["errors.message"]).dump(report)  # no request: both languages
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    for e in report.errors:
        click.echo(f"第 {e.row} 行 {e.column}: {e.reason.zh} / row {e.row} {e.column}: {e.reason.en}")
    if report.ignored_columns:
        click.echo(f"ignored columns: {'、'.join(report.ignored_columns)}")
    verb = "would import" if report.dry_run else ("imported" if report.written else "refused")
    click.echo(
        f"{report.file_name} sha256 {report.sha256}: {report.households} households, "
        f"{report.members} members, {len(report.errors)} errors; {verb}"
    )


@cli.command("import-households")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--village-scope", required=True, help="Region code (6, 9 or 12 digits) every village must be in."
)
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option("--as", "username", required=True, help="The clerk who imports.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_command(path: Path, village_scope: str, dry_run: bool, username: str, as_json: bool) -> None:
    """Import households from an xlsx or csv register; all rows or none, one audit event."""
    from loanflow.core import uow
    from loanflow.core.errors import ServiceError
    from loanflow.households.register_io import ImportRefused, import_households

    user = _user(username)
    try:
        report = import_households(
            user, path.read_bytes(), path.name, village_scope=village_scope, dry_run=dry_run
        )
    except ImportRefused as e:
        _print_report(e.report, as_json)
        sys.exit(EXIT_BAD_ROWS)
    except ServiceError as e:
        _refusal(e)
        sys.exit(EXIT_BAD_ROWS)
    uow.commit()  # a dry run wrote nothing
    _print_report(report, as_json)
    if report.errors:
        sys.exit(EXIT_BAD_ROWS)


@cli.command("export-households")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv"]), default=None, help="Default: from --out."
)
@click.option("--village", default=None, help="Only this region (6, 9 or 12-digit code).")
@click.option("--as", "username", required=True, help="The user whose view is exported.")
def export_command(out: Path, fmt: str | None, village: str | None, username: str) -> None:
    """Export the households the user may see, in the import layout."""
    from loanflow.core.errors import ServiceError
    from loanflow.households.register_io import export_households

    user = _user(username)
    fmt = fmt or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    try:
        with out.open("wb") as f:
            result = export_households(user, f, fmt, village)
    except ServiceError as e:
        out.unlink(missing_ok=True)
        _refusal(e)
        sys.exit(EXIT_BAD_ROWS)
    masked = " (ID numbers and accounts masked)" if result.masked else ""
    click.echo(f"{out}: {result.households} households, {result.members} members{masked}")
