"""Fuzz every documented operation from the OpenAPI document: bad input never gets a 500.

Schemathesis generates bodies, query strings and paths from the schema and
sends them as the demo clerk; the checks are that no answer is a server error
and that every error body is problem+json. (Its pytest plugin does not load on
this pytest, so the operations are walked by hand with Hypothesis.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 25


def _header(response, name: str) -> str:
    for key, value in response.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return ""


def test_no_generated_request_gets_a_server_error(app, login):
    token = login("clerk")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # DELETE /tokens would revoke the token the fuzzing runs with (it has its own test)
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if not (op.method.upper() == "DELETE" and op.path.endswith("/tokens"))
    ]
    assert len(operations) > 20
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            case.headers = {**(case.headers or {}), **token}
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400 and response.content and case.path.startswith("/api/"):
                content_type = _header(response, "content-type")
                assert content_type.startswith("application/problem+json"), (
                    case.method,
                    case.path,
                    response.status_code,
                    content_type,
                )

        try:
            check()
        except Exception as error:  # collect every operation's failure, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:400]}")
    assert not failures, "\n".join(failures)
