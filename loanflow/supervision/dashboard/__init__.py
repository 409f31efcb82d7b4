"""The supervision dashboard (督查看板) and the monthly report (月报)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The dashboard API and page, its menu entry; the receivers that keep its rollup current."""
    from loanflow.api import register_api
    from loanflow.core import signals
    from loanflow.supervision.dashboard import api, keeping, models, views  # noqa: F401  (models: the tables)

    register_api(app, api.blp)
    signals.menu_entries.connect(views.menu_entries)
    keeping.init_app()
