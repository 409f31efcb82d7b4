"""Users, regions and branches, API tokens, logging in to the pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, the token API, the login pages, ``flask loanflow create-user``."""
    from loanflow.accounts import api, cli, models, tokens, views  # noqa: F401  (models: tables; views: pages)
    from loanflow.api import register_api
    from loanflow.api.auth import use_bearer
    from loanflow.core.cli import add_commands

    register_api(app, api.blp)
    use_bearer(app, tokens.bearer)
    add_commands(app, cli.cli)
