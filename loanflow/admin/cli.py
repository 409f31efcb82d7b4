"""``flask loanflow region-problems``: townships without a branch and branches without an active officer."""

from __future__ import annotations

import click
from flask.cli import AppGroup

cli = AppGroup("admin", help="Administration commands (filed under flask loanflow).")


@cli.command("region-problems")
@click.argument("county")
def region_problems_command(county: str) -> None:
    """List what produces dead ends in a county: townships no branch serves, branches with no active officer."""
    from types import SimpleNamespace

    from loanflow.admin.services import attention

    found = attention(SimpleNamespace(id=None, role="admin", region_code=county))
    for t in found.townships_without_branch:
        click.echo(f"township without a branch: {t.code} {t.name}")
    for b in found.branches_without_officer:
        click.echo(f"branch without an active officer: {b.id} {b.name}")
    if not (found.townships_without_branch or found.branches_without_officer):
        click.echo("no problems")
