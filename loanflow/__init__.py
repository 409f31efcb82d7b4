"""loanflow: case management for poverty-relief small loans and industry subsidies."""

from __future__ import annotations

import logging
import os
import secrets

from flask import Flask
from werkzeug.routing import IntegerConverter

from config import Config
from loanflow import (
    accounts,
    admin,
    audit,
    calendar,
    documents,
    households,
    jobs,
    loans,
    policy,
    subsidies,
    supervision,
)
from loanflow.core.errors import ServiceError
from loanflow.core.jsonio import JSONProvider

# Each feature's ``init_app`` runs in this order (it is also the order of the API's blueprints).
FEATURES = (
    accounts,
    households,
    audit,
    policy,
    calendar,
    loans,
    subsidies,
    documents,
    admin,
    supervision,
    jobs,
)


def create_app(config_class: type = Config, overrides: dict | None = None) -> Flask:
    """Build the app: settings, extensions, the shared plumbing, then each feature's ``init_app``."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates"),
    )
    app.url_map.converters["int"] = IdConverter
    app.json = JSONProvider(app)
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "loanflow.db")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)

    from loanflow.core import logging as request_logging
    from loanflow.core import tasks, uow
    from loanflow.core.database import configure_engine
    from loanflow.extensions import babel, csrf, db, login_manager, migrate
    from loanflow.web.i18n import select_locale

    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    if app.config.get("TRUSTED_PROXIES"):  # behind TLS: the client's address and scheme from the proxy
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    babel.init_app(app, locale_selector=select_locale)
    with app.app_context():
        configure_engine(db.engine)
    uow.init_app(app)  # one commit per successful request; errors roll back
    tasks.init_app(app)  # the background queue: SQLite in the instance folder, or Redis
    request_logging.init_app(app)  # the request id on every record and response; masking

    # the shared plumbing first, then each feature files its tables, API, pages, commands and receivers
    from loanflow.api import init_api
    from loanflow.cli import register_cli
    from loanflow.web import init_web

    init_api(app)
    for feature in FEATURES:
        feature.init_app(app)
    register_cli(app)
    init_web(app)
    app.register_error_handler(ServiceError, _refusal)

    logging.getLogger(__name__).debug("loanflow ready")
    return app


def _refusal(error: ServiceError):
    """A refused service call: problem+json under /api, an HTML page elsewhere (the one place that knows both)."""
    from loanflow.api import is_api_request
    from loanflow.api.errors import service_problem
    from loanflow.extensions import db
    from loanflow.web.errors import service_error_page

    db.session.rollback()
    return service_problem(error) if is_api_request() else service_error_page(error)


class IdConverter(IntegerConverter):
    """``<int:…>`` in URLs stops at 2³¹−1 (ids are 32-bit): a larger number is a plain 404, never an overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _instance_secret(instance_path: str) -> str:
    """The session key: generated once into the instance folder, never in the repo."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        return f.read().strip()
