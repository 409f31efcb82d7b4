"""Supervision (督察督办): the stalled queue, presses, spot checks, flags, the dashboard, the monthly report."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Each part of supervision files its own API, pages and receivers."""
    from loanflow.supervision import dashboard

    dashboard.init_app(app)
