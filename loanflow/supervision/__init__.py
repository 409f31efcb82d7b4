"""Supervision (督察督办): the stalled queue, presses, spot checks, flags, the audit trail for supervisors,
the dashboard and the monthly report."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, the supervision API, the pages, the commands; the receivers it connects to the others."""
    from loanflow.api import register_api
    from loanflow.core import signals
    from loanflow.core.cli import add_commands
    from loanflow.supervision import api, cli, dashboard, models, notices, queue, views  # noqa: F401
    from loanflow.supervision.services import presses

    the_api = register_api(app, api.blp)
    for name, schema in api.BODIES.items():
        if name not in the_api.spec.components.schemas:
            the_api.spec.components.schema(name, schema=schema)
    add_commands(app, cli.cli)
    signals.case_moved.connect(presses.answer_presses)
    signals.work_queue_sections.connect(queue.queue_section)
    signals.work_queue_sections.connect(queue.clerk_press_section)
    signals.menu_entries.connect(views.menu_entries)
    signals.role_home.connect(views.role_home)
    signals.case_notices.connect(notices.case_notices)
    dashboard.init_app(app)  # the dashboard (督查看板) and the monthly report (月报)
