"""The hash-chained audit trail (审计留痕)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, the audit API, ``flask loanflow verify-audit``."""
    from loanflow.api import register_api
    from loanflow.audit import api, cli, models  # noqa: F401  (models: tables)
    from loanflow.core.cli import add_commands

    register_api(app, api.blp)
    add_commands(app, cli.cli)
