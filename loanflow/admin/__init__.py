"""Administration (系统管理): the admin's home, the region tree and the branches."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The regions and branches API, the admin's pages, the admin's start page and menu."""
    from loanflow.admin import api, cli, views
    from loanflow.api import register_api
    from loanflow.core import signals
    from loanflow.core.cli import add_commands

    register_api(app, api.blp)
    add_commands(app, cli.cli)
    signals.role_home.connect(views.admin_home_for)
    signals.menu_entries.connect(views.menu_entries)
