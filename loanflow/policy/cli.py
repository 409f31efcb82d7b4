"""``flask loanflow publish-policy FILE``: a new policy version from a JSON or YAML file."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

cli = AppGroup("policy", help="Policy commands (filed under flask loanflow).")


@cli.command("publish-policy")
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
