"""Users, regions and branches, API tokens, logging in to the pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, the token and users API, the login, password and user pages, ``flask loanflow create-user``."""
    # models: the tables; password_views, user_views, views: the pages
    from loanflow.accounts import api, cli, models, password_views, tokens, user_views, users_api, views  # noqa: F401
    from loanflow.accounts.login import use_failure_counts
    from loanflow.api import register_api
    from loanflow.api.auth import use_bearer
    from loanflow.audit.services import use_names
    from loanflow.core import uow
    from loanflow.core.cli import add_commands
    from loanflow.core.regions import Branch, BranchTownship

    uow.keep_loaded(models.User, Branch, BranchTownship)  # who acts: read once per request
    register_api(app, api.blp)
    register_api(app, users_api.blp)
    use_bearer(app, tokens.bearer)
    use_failure_counts(app)
    use_names(app, people_names, name_of)
    add_commands(app, cli.cli)


def name_of(actor_id):
    """A user's name by id as SQL (a scalar subquery): the timeline reads it with the events."""
    from sqlalchemy import select

    from loanflow.accounts.models import User

    return select(User.full_name).where(User.id == actor_id).scalar_subquery()


def people_names(ids: set[int]) -> dict[int, str]:
    """Users' names by id (the audit trail shows people, not login names)."""
    from sqlalchemy import select

    from loanflow.accounts.models import User
    from loanflow.extensions import db

    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
