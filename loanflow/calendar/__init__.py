"""The working-day calendar: the State Council's holidays as entered, year by year."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, ``flask loanflow enter-calendar-year``."""
    from loanflow.calendar import cli, models  # noqa: F401  (models: tables)
    from loanflow.core.cli import add_commands

    add_commands(app, cli.cli)
