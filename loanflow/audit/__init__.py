"""The hash-chained audit trail (审计留痕)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, the audit API, ``flask loanflow verify-audit``."""
    from loanflow.api import register_api
    from loanflow.audit import api, cli, models  # noqa: F401  (models: tables)
    from loanflow.core.cli import add_commands
    from loanflow.core.database import writes_on_get

    register_api(app, api.blp)
    writes_on_get(app, f"{api.blp.name}.{api.verify_audit.__name__}")  # the verification records itself
    add_commands(app, cli.cli)
