"""``flask loanflow enter-calendar-year FILE``: a year's holidays and make-up working days."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

cli = AppGroup("calendar", help="Calendar commands (filed under flask loanflow).")


@cli.command("enter-calendar-year")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def enter_calendar_year_command(path: str) -> None:
    """Enter a year's holidays and make-up working days: {"year":…, "holidays":[…], "workdays":[…]}."""
    from loanflow.calendar.services import enter_year
    from loanflow.core import uow
    from loanflow.core.errors import ServiceError, text

    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    try:
        entered = enter_year(None, int(data["year"]), data.get("holidays", []), data.get("workdays", []))
    except ServiceError as e:
        click.echo(text(e.message, "en"), err=True)
        sys.exit(2)
    uow.commit()
    click.echo(f"entered {data['year']}; provisional dates recomputed, {len(entered.moved)} moved")
    for m in entered.moved:
        click.echo(f"  {m.case_number} {m.what}: {m.before} -> {m.after}")
