"""``flask loanflow demo``: the demo county, which spans every feature; the features file their own commands."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from loanflow.core.cli import add_commands

cli = AppGroup("demo", help="The demo county (filed under flask loanflow).")


@cli.command("demo")
@click.option("--households", default=300, show_default=True, help="How many households to register.")
@click.option("--if-empty", is_flag=True, help="Do nothing when users exist already (for make run).")
def demo_command(households: int, if_empty: bool) -> None:
    """Build the demo county: regions, branches, users (password demo-password), households, cases."""
    from loanflow.demo import build_demo, has_users

    if if_empty and has_users():
        click.echo("demo data present; skipping")
        return
    summary = build_demo(households)
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))


def register_cli(app: Flask) -> None:
    """``flask loanflow demo``, beside the features' commands."""
    add_commands(app, cli)
