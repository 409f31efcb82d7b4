"""The JSON API under /api/v1: the Api object, problem+json errors, OpenAPI at /api/v1/openapi.json.

The features file their own blueprints (``register_api`` in their ``init_app``),
so this package imports none of them.
"""

from __future__ import annotations

import http

from flask import Flask, request
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from loanflow.api.common import ProblemOut
from loanflow.api.errors import PROBLEM, http_problem, problem


class LoanflowApi(Api):
    """flask-smorest with RFC 9457 errors for /api paths (the pages keep HTML errors)."""

    ERROR_SCHEMA = ProblemOut

    def handle_http_exception(self, error: HTTPException):
        if not request.path.startswith("/api/"):
            return error
        return http_problem(error)

    def _register_responses(self):
        """The error responses the OpenAPI document refers to, as the problem+json they are."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as problem+json", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


EXTENSION = "loanflow.api"


def init_api(app: Flask) -> LoanflowApi:
    """Make the app's Api (before the features, which file their blueprints with ``register_api``)."""
    api = LoanflowApi(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    app.extensions[EXTENSION] = api

    from loanflow.api.common import refuse_deep_json, refuse_nul_bytes

    app.before_request(refuse_deep_json)  # before anything parses a body nested too deep to parse
    app.before_request(refuse_nul_bytes)  # every request, API and pages alike

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return api.handle_http_exception(error) if is_api_request() else error
        from sqlalchemy.exc import DBAPIError

        from loanflow.extensions import db

        db.session.rollback()
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return _connection_lost()
        app.logger.exception("unexpected error")
        if is_api_request():
            return problem(
                500, "Internal Server Error", "服务器内部错误，请稍后重试 / an internal error; retry later"
            )
        return ("服务器内部错误，请稍后重试。", 500)

    def _connection_lost():
        """The database went away under a pooled connection (a restart, a failover): the pool is
        dropped and reconnects on the next request, so this one is answered 503 with Retry-After,
        not 500 (``config.SQLALCHEMY_ENGINE_OPTIONS``: no ping before every request)."""
        app.logger.warning("database connection lost; the pool reconnects on the next request")
        retry = {"Retry-After": "1"}
        if is_api_request():
            body, status, headers = problem(
                503,
                "Service Unavailable",
                "数据库连接中断，已重新连接，请重试 / the database connection was lost and has been reset; retry",
            )
            return body, status, {**headers, **retry}
        return "数据库连接中断，已重新连接，请刷新页面重试。", 503, retry

    return api


def register_api(app: Flask, blp: Blueprint) -> LoanflowApi:
    """File a feature's blueprint under /api/v1; returns the Api (for a feature that describes more)."""
    from loanflow.extensions import csrf

    api = app.extensions[EXTENSION]
    csrf.exempt(blp)  # bearer tokens, not cookies: no CSRF to forge
    api.register_blueprint(blp, url_prefix="/api/v1")
    return api
