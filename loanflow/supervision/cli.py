"""``flask loanflow stalled``: the stalled queue of a supervisor's region, for a report or a cron mail."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

cli = AppGroup("supervision", help="Supervision commands (filed under flask loanflow).")


@cli.command("stalled")
@click.option("--as", "username", required=True, help="The supervisor whose region is listed.")
@click.option("--limit", default=50, show_default=True, help="How many cases, most overdue first.")
def stalled_command(username: str, limit: int) -> None:
    """Print the stalled cases (most working days over first) as JSON lines."""
    from sqlalchemy import select

    from loanflow.accounts.models import User
    from loanflow.core.errors import ServiceError, text
    from loanflow.extensions import db
    from loanflow.supervision.services.stalled import stalled_queue

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"no user {username}", param_hint="--as")
    try:
        rows, total = stalled_queue(user, per_page=limit)
    except ServiceError as e:
        raise click.ClickException(text(e.message, "en")) from e
    for r in rows:
        line = {
            "case": r.case_number,
            "stage": r.state,
            "due_on": r.due_on.isoformat(),
            "working_days_over": r.working_days_over,
            "must_act": [a.name for a in r.who.actors],
            "dead_end": r.dead_end,
            "presses": r.presses,
        }
        click.echo(json.dumps(line, ensure_ascii=False))
    click.echo(json.dumps({"total": int(total), "total_capped": total.capped}))


@cli.command("rebuild-dashboard")
@click.option("--region", default="", help="Only the townships of this county or township (default: all).")
def rebuild_dashboard_command(region: str) -> None:
    """Rebuild the dashboard's per-township rollup from the cases (after the migration, or at any time)."""
    import time

    from loanflow.supervision.dashboard.keeping import rebuild_all

    began = time.perf_counter()
    count = rebuild_all(region)
    click.echo(json.dumps({"townships": count, "seconds": round(time.perf_counter() - began, 1)}))
