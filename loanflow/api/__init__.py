"""The JSON API under /api/v1: blueprints, problem+json errors, OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

import http

from flask import Flask, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from loanflow.api.common import ProblemOut
from loanflow.api.errors import PROBLEM, http_problem, problem, service_problem
from loanflow.core.errors import ServiceError


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


def init_api(app: Flask) -> LoanflowApi:
    from loanflow.accounts import api as tokens
    from loanflow.audit import api as audit
    from loanflow.calendar import api as calendar
    from loanflow.documents import api as documents
    from loanflow.extensions import csrf
    from loanflow.households import api as households
    from loanflow.households import register_api as register_io
    from loanflow.loans import api as loans
    from loanflow.loans import api_money as loan_money
    from loanflow.loans.fund import api as fund
    from loanflow.policy import api as policy
    from loanflow.subsidies import api as subsidies

    api = LoanflowApi(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    modules = (
        tokens,
        households,
        register_io,
        audit,
        policy,
        calendar,
        loans,
        loan_money,
        fund,
        subsidies,
        documents,
    )
    for module in modules:
        csrf.exempt(module.blp)  # bearer tokens, not cookies: no CSRF to forge
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    loans.document_actions(api)

    from loanflow.api.common import refuse_nul_bytes

    app.before_request(refuse_nul_bytes)  # every request, API and pages alike

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError):
        from loanflow.extensions import db

        db.session.rollback()
        if is_api_request():
            return service_problem(error)
        from loanflow.web.errors import service_error_page

        return service_error_page(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return api.handle_http_exception(error) if is_api_request() else error
        from loanflow.extensions import db

        db.session.rollback()
        app.logger.exception("unexpected error")
        if is_api_request():
            return problem(
                500, "Internal Server Error", "服务器内部错误，请稍后重试 / an internal error; retry later"
            )
        return ("服务器内部错误，请稍后重试。", 500)

    return api
