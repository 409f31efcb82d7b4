"""Fuzz every documented operation from the OpenAPI document: bad input never gets a 500.

Schemathesis generates bodies, query strings and paths from the schema and
sends them as a demo user of each kind: the clerk, the bank officer, the county
approver, the supervisor, the admin (who alone reaches the policy and the calendar) and
no one (no token). The examples are fixed (derandomized) and few enough that the whole
walk stays under two minutes on a 2-core machine. Half the
generated paths point at a household, loan, subsidy case or 公示 that exists, so
that the bodies get past the 404 to the checks that read them. The checks are
that no answer is a server error, that every error body is problem+json, and
that every answer has a documented content type and matches the schema the
OpenAPI document declares for its status (a success body its ``@blp.response``
schema, an error its problem+json schema).
(Its pytest plugin does not load on this pytest, so the operations are walked by
hand with Hypothesis.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.core.domain.labels import codes
from loanflow.core.domain.policy import default_policy_document
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import deposit, drive, fresh_households, open_loan
from loanflow.subsidies.models import Publicity, SubsidyCase

CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
# the clerk walks every operation more often; the other roles add what only they may reach
ROLES = [
    ("clerk", 18),
    ("officer", 10),
    ("approver2", 10),
    ("supervisor", 6),
    ("admin", 10),
    ("anonymous", 3),
]
EXISTING = {
    "household_id": Household.id,
    "loan_id": Loan.id,
    "case_id": SubsidyCase.id,
    "publicity_id": Publicity.id,
}


def _reproduce(error: BaseException) -> str:
    """The failure's name and the curl line that reproduces it (schemathesis puts both in its text)."""
    text = str(error)
    curl = next((line.strip() for line in text.splitlines() if line.strip().startswith("curl ")), "")
    return f"{text.splitlines()[0][:300] if text else type(error).__name__} {curl[:600]}"


def _header(response, name: str) -> str:
    for key, value in response.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return ""


def _loans_in_each_stage() -> None:
    """The demo county of the tests has no loans (too few households): open a few, one per stage."""
    clerk, officer, officer2 = (
        db.session.scalar(select(User).where(User.username == n)) for n in ("clerk", "officer", "officer2")
    )
    deposit(clerk.county_code, "1000000.00")
    households = fresh_households(clerk.region_code)
    for target, h in zip(("applied", "rated", "credited", "disbursed"), households, strict=False):
        loan = open_loan(clerk, h)
        if target != "applied":
            drive(loan, target, officer=officer, disburser=officer2)


ANY_JSON = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _policy_leaves() -> list[tuple[str, str]]:
    document = default_policy_document()
    return [(s, key) for s, values in document.items() if isinstance(values, dict) for key in values]


def _nearly_the_policy(data) -> dict:
    """The policy in force with one setting replaced by any JSON value: deep enough to reach every check."""
    document = default_policy_document()
    section, key = data.draw(st.sampled_from(_policy_leaves()))
    document[section][key] = data.draw(ANY_JSON)
    return document


def _point_at_existing(case, data, known: dict[str, list[int]]) -> None:
    """Half the time, a path's ids and a body's ``household_id`` name something that exists,
    a loan action is one of the loan's actions and a policy is the one in force with one setting changed."""
    params = case.path_parameters or {}
    for name in params:
        if name in known and data.draw(st.booleans()):
            params[name] = data.draw(st.sampled_from(known[name]))
    if "action" in params and case.path.startswith("/api/v1/loans/") and data.draw(st.booleans()):
        params["action"] = data.draw(st.sampled_from(codes("loan_action")))
    if case.path == "/api/v1/policy" and isinstance(case.body, dict) and data.draw(st.booleans()):
        case.body["document"] = _nearly_the_policy(data)
    body = case.body
    if isinstance(body, dict) and "household_id" in body and data.draw(st.booleans()):
        body["household_id"] = data.draw(st.sampled_from(known["household_id"]))
    if isinstance(body, dict) and isinstance(body.get("case_ids"), list) and "case_id" in known:
        body["case_ids"] = data.draw(st.lists(st.sampled_from(known["case_id"]), max_size=3))


def _existing_ids() -> dict[str, list[int]]:
    found = {
        name: list(db.session.scalars(select(column).order_by(column))) for name, column in EXISTING.items()
    }
    return {name: ids for name, ids in found.items() if ids}


@pytest.mark.parametrize("username,examples", ROLES)
def test_no_generated_request_gets_a_server_error(app, login, username, examples):
    token = {} if username == "anonymous" else login(username)
    _loans_in_each_stage()
    known = _existing_ids()
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

        @given(case=operation.as_strategy(), data=st.data())
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case, data):
            _point_at_existing(case, data, known)
            case.headers = {**(case.headers or {}), **token}
            response = case.call()
            case.validate_response(response, checks=CHECKS)
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
        # collect every operation's failure, not just the first (schemathesis raises a BaseExceptionGroup)
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {_reproduce(error)}")
    assert not failures, "\n".join(failures)
