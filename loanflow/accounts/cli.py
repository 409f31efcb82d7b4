"""``flask loanflow create-user``: a user for a real deployment."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

cli = AppGroup("accounts", help="Accounts commands (filed under flask loanflow).")


@cli.command("create-user")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["clerk", "bank_officer", "approver", "supervisor", "admin"])
)
@click.option("--region", "region_code", required=True, help="Region code (6, 9 or 12 digits).")
@click.option("--branch", "branch_id", type=int, default=None, help="Branch id (bank officers).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(username, full_name, role, region_code, branch_id, password) -> None:
    """Create a user for a real deployment."""
    from loanflow.accounts.services import create_user
    from loanflow.core import uow
    from loanflow.core.errors import ServiceError, text

    try:
        user = create_user(
            None,
            username=username,
            full_name=full_name,
            role=role,
            region_code=region_code,
            branch_id=branch_id,
            password=password,
        )
    except ServiceError as e:
        errors = getattr(e, "errors", {})
        click.echo(text(e.message), err=True)
        for field, msgs in errors.items():
            click.echo(f"  {field}: {'; '.join(text(m) for m in msgs)}", err=True)
        sys.exit(2)
    uow.commit()
    click.echo(f"created {user.username} ({user.role}, {user.region_code})")
