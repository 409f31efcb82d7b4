"""The OpenAPI document says what every operation returns, and what comes back is what it says.

Each operation declares its success body (``@blp.response``, or ``@blp.alt_response`` for a file
or a second status), so a client generated from ``/api/v1/openapi.json`` knows every field. A new
operation without one fails the first test. The others take real answers of representative
operations — a loan and the loan list, a subsidy case, a household as the clerk (whole) and as the
supervisor (masked) — and check them against the documented schema: every key documented, every
documented key there, every value of the documented type (schemathesis validates the body).
"""

from __future__ import annotations

import pytest
import schemathesis
from sqlalchemy import select

from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.testing.factories import deposit, drive, fresh_households, open_loan
from loanflow.subsidies.models import SubsidyCase

PROBLEM = "application/problem+json"


@pytest.fixture
def openapi(client) -> dict:
    return client.get("/api/v1/openapi.json").json


def _operations(openapi: dict):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", operation


def _resolve(openapi: dict, schema: dict) -> dict:
    while "$ref" in schema:
        kind, name = schema["$ref"].split("/")[-2:]
        schema = openapi["components"][kind][name]
    return schema


def test_every_operation_declares_the_schema_of_what_it_returns_on_success(openapi):
    undeclared = []
    for name, operation in _operations(openapi):
        success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        bodies = [
            c.get("schema")
            for r in success.values()
            for c in _resolve(openapi, r).get("content", {}).values()
        ]
        no_body = set(success) == {"204"}
        if not success or not (no_body or (bodies and all(bodies))):
            undeclared.append(name)
    assert not undeclared, "operations without a documented success body: " + ", ".join(undeclared)


def test_every_json_success_is_a_named_schema_with_its_fields(openapi):
    for name, operation in _operations(openapi):
        for code, response in operation["responses"].items():
            content = _resolve(openapi, response).get("content", {})
            if code.startswith("2") and "application/json" in content:
                schema = content["application/json"]["schema"]
                assert "$ref" in schema, name
                assert _resolve(openapi, schema)["properties"], name


def test_every_error_is_documented_as_problem_json(openapi):
    for name, operation in _operations(openapi):
        for code, response in operation["responses"].items():
            if code == "default" or code.startswith(("4", "5")):
                assert list(_resolve(openapi, response)["content"]) == [PROBLEM], (name, code)


@pytest.fixture
def disbursed_loan(users):
    """A loan disbursed by the demo county's officers (the fund filled first)."""
    clerk = users["clerk"]
    deposit(clerk.county_code, "1000000.00")
    loan = open_loan(clerk, fresh_households(clerk.region_code)[0])
    drive(loan, "disbursed", officer=users["officer"], disburser=users["officer2"])
    return loan


def _check(app, openapi, client, headers, template: str, path: str) -> dict:
    """The answer validates against the documented schema, and has exactly its documented keys."""
    r = client.get(path, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema[template]["GET"].validate_response(r)
    documented = _resolve(openapi, openapi["paths"][template]["get"]["responses"]["200"])
    properties = _resolve(openapi, documented["content"]["application/json"]["schema"])["properties"]
    assert set(r.json) == set(properties), set(r.json) ^ set(properties)
    return r.json


def test_a_disbursed_loan_is_what_its_schema_says_to_the_officer(app, openapi, client, login, disbursed_loan):
    body = _check(
        app,
        openapi,
        client,
        login("officer"),
        "/api/v1/loans/{loan_id}",
        f"/api/v1/loans/{disbursed_loan.id}",
    )
    assert body["due_now_breakdown"].keys() == {"principal", "interest", "penalty", "compound", "total"}
    assert body["schedule"]["lines"] > 0 and body["timeline"][0]["action"] == "apply"


def test_the_loan_list_is_what_its_schema_says(app, openapi, client, login, disbursed_loan):
    body = _check(app, openapi, client, login("clerk"), "/api/v1/loans", "/api/v1/loans")
    assert body["total"] == 1 and body["items"][0]["borrower_id_number"].count("*") == 8


def test_the_schedule_and_the_repayments_are_what_their_schemas_say(
    app, openapi, client, login, disbursed_loan
):
    loan_id, officer = disbursed_loan.id, login("officer")
    client.post(f"/api/v1/loans/{loan_id}/repay", json={"amount": "100.00"}, headers=officer)
    schedule = _check(
        app, openapi, client, officer, "/api/v1/loans/{loan_id}/schedule", f"/api/v1/loans/{loan_id}/schedule"
    )
    repayments = _check(
        app,
        openapi,
        client,
        officer,
        "/api/v1/loans/{loan_id}/repayments",
        f"/api/v1/loans/{loan_id}/repayments",
    )
    assert schedule["revision"] == 0 and schedule["lines"][0]["seq"] == 1
    assert [(r["amount"], r["reversed"]) for r in repayments["items"]] == [("100.00", False)]


def test_a_subsidy_case_is_what_its_schema_says(app, openapi, client, login, demo):
    case_id = db.session.scalar(select(SubsidyCase.id).where(SubsidyCase.publicity_id.is_not(None)).limit(1))
    assert case_id is not None, "the demo county has a case that went through a 公示"
    body = _check(
        app, openapi, client, login("clerk"), "/api/v1/subsidies/{case_id}", f"/api/v1/subsidies/{case_id}"
    )
    assert body["publicity"]["id"] and body["stage"].keys() == {
        "since",
        "working_days",
        "due_on",
        "provisional",
    }


@pytest.mark.parametrize("username,whole", [("clerk", True), ("supervisor", False)])
def test_a_household_is_what_its_schema_says_whole_for_the_clerk_masked_for_the_supervisor(
    app, openapi, client, login, demo, username, whole
):
    h = db.session.scalar(select(Household).order_by(Household.id).limit(1))
    account, id_number = h.bank_account, h.members[0].id_number
    body = _check(
        app,
        openapi,
        client,
        login(username),
        "/api/v1/households/{household_id}",
        f"/api/v1/households/{h.id}",
    )
    if whole:
        assert (body["bank_account"], body["members"][0]["id_number"]) == (account, id_number)
    else:
        assert body["bank_account"] == "*" * (len(account) - 4) + account[-4:]
        assert body["members"][0]["id_number"] == id_number[:6] + "*" * 8 + id_number[-4:]
