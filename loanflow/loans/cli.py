"""``flask loanflow sweep`` (for cron) and ``flask loanflow claims`` (the quarter's 贴息清单 as xlsx)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

cli = AppGroup("loans", help="Loan commands (filed under flask loanflow).")


@cli.command("sweep")
def sweep_command() -> None:
    """Store overdue (and cured) loans as of the business date; safe to run twice or on two nodes."""
    from loanflow.core import uow
    from loanflow.loans.sweep import run_sweep

    result = run_sweep()  # commits loan by loan
    uow.commit()
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False))


@cli.command("claims")
@click.option("--quarter", required=True, help="The quarter, e.g. 2026Q1.")
@click.option("--branch", "branch_id", required=True, type=int, help="The branch id.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def claims_command(quarter: str, branch_id: int, out: str) -> None:
    """Write the branch's subsidy claim list (贴息清单) of the quarter to an xlsx file."""
    from loanflow.core.errors import ServiceError, text
    from loanflow.loans.claims import claim_list, claim_xlsx

    try:
        claims = claim_list(None, quarter, branch_id)
    except ServiceError as e:
        click.echo(text(e.message, "en"), err=True)
        for field, msgs in getattr(e, "errors", {}).items():
            click.echo(f"  {field}: {'; '.join(text(m, 'en') for m in msgs)}", err=True)
        sys.exit(2)
    with open(out, "wb") as f:
        f.write(claim_xlsx(claims))
    click.echo(
        f"{len(claims.rows)} lines, interest {claims.total_interest}, subsidy {claims.total_subsidy} → {out}"
    )
