"""The household register (建档立卡户): records, import and export, bank-account changes."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, the register API, the pages, the register commands, the account changes' queue section."""
    from loanflow.api import register_api
    from loanflow.core import signals
    from loanflow.core.cli import add_commands
    from loanflow.households import api, cli, models, queue, register_views, views  # noqa: F401
    from loanflow.households import register_api as register_io

    register_api(app, api.blp)
    register_api(app, register_io.blp)
    add_commands(app, cli.cli)
    signals.work_queue_sections.connect(queue.queue_section)
    signals.menu_entries.connect(views.menu_entries)
