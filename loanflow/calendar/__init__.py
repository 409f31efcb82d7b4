"""The working-day calendar: the State Council's holidays as entered, year by year."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, ``/calendar/years``, the calendar pages, ``flask loanflow enter-calendar-year``."""
    from loanflow.api import register_api
    from loanflow.calendar import api, cli, models, views  # noqa: F401  (models: tables; views: pages)
    from loanflow.core.cli import add_commands

    register_api(app, api.blp)
    add_commands(app, cli.cli)
