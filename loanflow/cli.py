"""``flask loanflow …``: demo data, users, the audit check, the policy; other areas add theirs."""

from __future__ import annotations

import importlib
import json
import sys

import click
from flask import Flask
from flask.cli import AppGroup

loanflow_cli = AppGroup("loanflow", help="loanflow administration.")

# Areas that add commands to the group, each in its own module with ``register(group)``.
COMMAND_MODULES = ("loanflow.households.cli", "loanflow.loans.cli")


@loanflow_cli.command("demo")
@click.option("--households", default=300, show_default=True, help="How many households to register.")
@click.option("--if-empty", is_flag=True, help="Do nothing when users exist already (for make run).")
def demo_command(households: int, if_empty: bool) -> None:
    """Build the demo county: regions, branches, users (password demo-password), households, cases."""
    from loanflow.demo import build_demo, has_users

    if if_empty and has_users():
        click.echo("demo data present; skipping")
        return
    summary = build_demo(households)  # commits itself: tests build it too
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))


@loanflow_cli.command("create-user")
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


@loanflow_cli.command("verify-audit")
def verify_audit_command() -> None:
    """Check every hash chain of the audit trail; exit 1 at the first broken link."""
    from loanflow.audit.schemas import VerificationOut
    from loanflow.audit.services import verify

    result = verify()
    click.echo(json.dumps(VerificationOut().dump(result), ensure_ascii=False))
    if not result.ok:
        sys.exit(1)


@loanflow_cli.command("publish-policy")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--note", default="")
def publish_policy_command(path: str, note: str) -> None:
    """Publish a new policy version from a JSON or YAML file (validated whole)."""
    import yaml

    from loanflow.core import uow
    from loanflow.core.errors import ServiceError, text
    from loanflow.policy.services import publish_policy

    with open(path, encoding="utf-8") as f:
        try:
            document = yaml.safe_load(f)
        except yaml.YAMLError as e:
            click.echo(f"not JSON or YAML: {e}", err=True)
            sys.exit(2)
    try:
        policy = publish_policy(None, document, note)
    except ServiceError as e:
        for field, msgs in getattr(e, "errors", {}).items():
            click.echo(f"{field}: {'; '.join(text(m, 'en') for m in msgs)}", err=True)
        sys.exit(2)
    uow.commit()
    click.echo(f"published policy version {policy.version}")


@loanflow_cli.command("enter-calendar-year")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def enter_calendar_year_command(path: str) -> None:
    """Enter a year's holidays and make-up working days: {"year":…, "holidays":[…], "workdays":[…]}."""
    from loanflow.calendar.services import enter_year
    from loanflow.core import uow
    from loanflow.core.errors import ServiceError, text

    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    try:
        enter_year(None, int(data["year"]), data.get("holidays", []), data.get("workdays", []))
    except ServiceError as e:
        click.echo(text(e.message, "en"), err=True)
        sys.exit(2)
    uow.commit()
    click.echo(f"entered {data['year']}; provisional dates recomputed")


def register_cli(app: Flask) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(loanflow_cli)
    app.cli.add_command(loanflow_cli)
