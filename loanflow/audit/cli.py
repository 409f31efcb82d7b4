"""``flask loanflow verify-audit``: check every hash chain of the audit trail."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

cli = AppGroup("audit", help="Audit commands (filed under flask loanflow).")


@cli.command("verify-audit")
def verify_audit_command() -> None:
    """Check every hash chain of the audit trail and the signed checkpoints; exit 1 at the first broken link.
    The verification is recorded (an ``audit.verify`` event by the system), as on the API and the page."""
    from loanflow.audit.schemas import VerificationOut
    from loanflow.audit.services import check
    from loanflow.core import uow

    result = check(None, via="command")  # the system verified: recorded even when a link is broken
    uow.commit()
    click.echo(json.dumps(VerificationOut().dump(result), ensure_ascii=False))
    if not result.ok:
        sys.exit(1)


@cli.command("checkpoint-audit")
def checkpoint_audit_command() -> None:
    """Sign every chain's head and append it to the checkpoint log outside the database."""
    from loanflow.audit.checkpoints import log_path, write_checkpoint

    for c in write_checkpoint():
        click.echo(f"{c.chain} seq {c.seq} {c.hash[:16]}… at {c.at}")
    click.echo(f"appended to {log_path()}")
