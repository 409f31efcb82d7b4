"""``flask loanflow …``: one command group per app; each feature adds the commands of its own AppGroup.

A feature's commands are declared on a Flask ``AppGroup`` (so each runs inside
the app context, also under ``app.test_cli_runner()``) and filed under
``flask loanflow`` by their own names, so a command line reads
``flask loanflow sweep`` whichever feature owns it.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

GROUP = "loanflow"


def loanflow_group(app: Flask) -> AppGroup:
    """The app's ``flask loanflow`` group, made on first use."""
    group = app.cli.commands.get(GROUP)
    if group is None:
        group = AppGroup(GROUP, help="loanflow administration.")
        app.cli.add_command(group)
    return group


def add_commands(app: Flask, feature_commands: AppGroup) -> None:
    """File a feature's commands under ``flask loanflow`` (a feature's ``init_app`` calls it)."""
    group = loanflow_group(app)
    for command in feature_commands.commands.values():
        group.add_command(command)
