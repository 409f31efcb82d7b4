"""The versioned policy (政策参数): every number a rule uses."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, the policy API and pages, ``flask loanflow publish-policy``."""
    from loanflow.accounts.tokens import use_token_lifetime
    from loanflow.api import register_api
    from loanflow.core import signals
    from loanflow.core.cli import add_commands
    from loanflow.policy import api, cli, models, views  # noqa: F401  (models: tables; views: pages)
    from loanflow.policy.services import current_policy

    register_api(app, api.blp)
    add_commands(app, cli.cli)
    use_token_lifetime(app, lambda: current_policy().token_hours)
    signals.menu_entries.connect(views.menu_entries)
