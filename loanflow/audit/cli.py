"""``flask loanflow verify-audit``: check every hash chain of the audit trail."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

cli = AppGroup("audit", help="Audit commands (filed under flask loanflow).")


@cli.command("verify-audit")
def verify_audit_command() -> None:
    """Check every hash chain of the audit trail; exit 1 at the first broken link."""
    from loanflow.audit.schemas import VerificationOut
    from loanflow.audit.services import verify

    result = verify()
    click.echo(json.dumps(VerificationOut().dump(result), ensure_ascii=False))
    if not result.ok:
        sys.exit(1)
