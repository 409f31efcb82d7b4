"""The access matrix: every API operation and page route × every role × own and other region → the status.

Each route of ``app.url_map`` (one row per method) is asked once by each role — ``clerk``,
``officer`` (bank officer), ``approver`` (county), ``supervisor``, ``admin`` and ``anonymous`` —
about something in the caller's own region and about the same kind of thing in another county.
The request carries no input (an empty JSON object or an empty form), so a role that may act
gets past scope (404) and role (403) to the state (409) or the input (422) check, and nothing is
written. The test fails when a route has no row, when a row names no route, and on every cell
whose status differs (all of them are listed, not only the first).

Adding a row (the format)::

    "METHOD /rule/<int:x_id>": ("own", "other"),

where ``"own"`` and ``"other"`` are six statuses in the order of ``ROLES`` (clerk officer approver
supervisor admin anonymous), separated by spaces, for the object of the caller's own region and of
another county. A route with no object in its path (a list, a create, the login page) has one
string instead of the pair. A path parameter is filled from ``world`` by name (``household_id``,
``loan_id``, ``case_id``, ``publicity_id``, ``change_id``, ``document_id``, ``version``, …): a
new kind of object adds its name to ``world`` with an object in each region. A route whose
``<string:action>`` needs a particular action names it in ``ACTIONS``; a route that needs a query
string names it in ``QUERIES``.

``LOANFLOW_ACCESS_MATRIX=print pytest tests/api/test_access_matrix.py`` prints the observed table
in this format, to review (never to paste unread: every cell is a claim about who may do what).
"""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select, update

from loanflow.accounts.models import User
from loanflow.accounts.services import create_region
from loanflow.core import clock, uow
from loanflow.core.regions import Region
from loanflow.extensions import db
from loanflow.households import services as households
from loanflow.households.models import Household
from loanflow.jobs.models import Job
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import deposit, fresh_households, open_loan
from loanflow.subsidies.models import Publicity, PublicityEntry, SubsidyCase
from loanflow.subsidies.testing.factories import make_case
from loanflow.web.testing.fixtures import DEMO_PASSWORD, PageClient

ROLES = ("clerk", "officer", "approver", "supervisor", "admin", "anonymous")
USERS = {
    "clerk": "clerk",
    "officer": "officer",
    "approver": "approver2",
    "supervisor": "supervisor",
    "admin": "admin",
}
VILLAGE = "341503001001"  # the demo clerk's village: inside every demo user's region
OTHER_VILLAGE = "341502001001"  # another county: outside every demo user's region

ACTIONS = {
    "/api/v1/loans/<int:loan_id>/<string:action>": "disburse",  # an officer's action; the loan is applied
    "/loans/<int:case_id>/<string:action>": "disburse",
    "/subsidies/<int:case_id>/<string:action>": "approve",  # an approver's action; the case is applied
    "/publicity/<int:publicity_id>/<string:action>": "approve",  # the whole list in one step
}
QUERIES = {
    "/api/v1/claims": "quarter=2026Q1&branch_id=1",
    "/api/v1/fund": "county_code=341503",
    "/api/v1/reports/monthly": "month=2026-02",
    "/supervision/reports/monthly": "month=2026-02",
}
CONSTANTS = {"code": "en", "filename": "app.css", "case_type": "loan", "version": "1", "year": "2026"}

#         clerk officer approver supervisor admin anonymous
MATRIX: dict[str, str | tuple[str, str]] = {
    "DELETE /api/v1/tokens": "204 204 204 204 204 401",
    "GET /": "200 200 200 200 200 302",
    "GET /api/v1/audit/verify": "403 403 403 200 200 401",
    "GET /api/v1/calendar/years/<int:year>": "403 403 403 403 200 401",
    "GET /api/v1/claims": "404 200 200 200 404 401",
    "GET /api/v1/dashboard": "403 403 403 200 403 401",
    "GET /api/v1/fund": "404 200 404 200 200 401",
    "GET /api/v1/households": "200 200 200 200 200 401",
    "GET /api/v1/jobs/<int:job_id>": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/households/<int:household_id>": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/households/export": "200 200 200 200 403 401",
    "GET /api/v1/loans": "200 200 200 200 200 401",
    "GET /api/v1/loans/<int:loan_id>": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/loans/<int:loan_id>/documents": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/loans/<int:loan_id>/documents/<int:document_id>": (
        "404 404 404 404 404 401",
        "404 404 404 404 404 401",
    ),
    "GET /api/v1/loans/<int:loan_id>/repayments": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/loans/<int:loan_id>/schedule": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/openapi.json": "200 200 200 200 200 200",
    "GET /api/v1/policy": "200 200 200 200 200 401",
    "GET /api/v1/policy/versions": "200 200 200 200 200 401",
    "GET /api/v1/policy/versions/<int:version>": "200 200 200 200 200 401",
    "GET /api/v1/publicity": "200 200 200 200 200 401",
    "GET /api/v1/reports/monthly": "403 403 403 200 403 401",
    "GET /api/v1/publicity/<int:publicity_id>": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/publicity/<int:publicity_id>/pdf": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/subsidies": "200 200 200 200 200 401",
    "GET /api/v1/subsidies/<int:case_id>": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/subsidies/<int:case_id>/documents": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/subsidies/<int:case_id>/documents/<int:document_id>": (
        "404 404 404 404 404 401",
        "404 404 404 404 404 401",
    ),
    "GET /documents/<string:case_type>/<int:case_id>/<int:document_id>": (
        "404 404 404 404 404 302",
        "404 404 404 404 404 302",
    ),
    "GET /households": "200 200 200 200 200 302",
    "GET /households/<int:household_id>": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "GET /households/<int:household_id>/account-changes": (
        "200 403 403 403 404 302",
        "404 404 404 404 404 302",
    ),
    "GET /households/<int:household_id>/edit": ("200 403 403 403 404 302", "404 404 404 404 404 302"),
    "GET /households/<int:household_id>/loans/new": ("200 403 403 403 404 302", "404 404 404 404 404 302"),
    "GET /households/<int:household_id>/subsidies/new": (
        "200 403 403 403 404 302",
        "404 404 404 404 404 302",
    ),
    "GET /households/new": "200 403 403 403 403 302",
    "GET /households/import": "200 403 403 403 403 302",
    "GET /households/export": "200 200 200 200 403 302",
    "GET /policy/terms": "200 200 200 200 200 302",
    "GET /lang/<code>": "302 302 302 302 302 302",
    "GET /loans": "200 200 200 200 200 302",
    "GET /loans/<int:case_id>": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "GET /login": "200 200 200 200 200 200",
    "GET /publicity": "200 200 200 200 200 302",
    "GET /publicity/<int:publicity_id>/pdf": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "POST /publicity/<int:publicity_id>/<string:action>": (
        "403 403 200 403 404 302",
        "404 404 404 404 404 302",
    ),
    "GET /claims": "404 200 200 200 404 302",
    "GET /claims.xlsx": "404 200 200 200 404 302",
    "GET /publicity/<int:publicity_id>": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "GET /static/<path:filename>": "200 200 200 200 200 200",
    "GET /subsidies": "200 200 200 200 200 302",
    "GET /supervision/dashboard": "403 403 403 200 403 302",
    "GET /supervision/reports/monthly": "403 403 403 200 403 302",
    "GET /subsidies/<int:case_id>": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "PATCH /api/v1/households/<int:household_id>": ("200 403 403 403 404 401", "404 404 404 404 404 401"),
    # an empty body is accepted: holidays and make-up days default to none (the calendar branch chose it)
    "PUT /api/v1/calendar/years/<int:year>": "403 403 403 403 200 401",
    "POST /api/v1/calendar/years": "403 403 403 403 422 401",
    "POST /api/v1/fund/deposits": "403 403 403 403 422 401",
    "POST /api/v1/households": "422 403 403 403 403 401",
    "POST /api/v1/households/<int:household_id>/account-changes": (
        "422 403 403 403 404 401",
        "404 404 404 404 404 401",
    ),
    "POST /api/v1/households/<int:household_id>/account-changes/<int:change_id>": (
        "403 403 422 403 404 401",
        "404 404 404 404 404 401",
    ),
    "POST /api/v1/households/import": "422 403 403 403 403 401",
    "POST /api/v1/loans": "422 403 403 403 403 401",
    "POST /api/v1/loans/<int:loan_id>/<string:action>": (
        "403 409 403 403 404 401",
        "404 404 404 404 404 401",
    ),
    "POST /api/v1/loans/<int:loan_id>/documents": ("422 422 403 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/loans/<int:loan_id>/receipt": ("201 201 403 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/policy": "403 403 403 403 422 401",
    "POST /api/v1/subsidies": "422 403 403 403 403 401",
    "POST /api/v1/subsidies/<int:case_id>/approve": ("403 403 409 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/disburse": ("403 403 409 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/documents": ("422 403 422 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/object": ("403 403 409 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/publicize": ("403 403 409 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/receipt": ("201 403 201 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/reject": ("403 403 422 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/verify": ("403 403 422 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/withdraw": ("422 403 403 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/tokens": "422 422 422 422 422 422",
    "POST /documents/<string:case_type>/<int:case_id>/receipt": (
        "302 302 403 403 404 302",
        "404 404 404 404 404 302",
    ),
    "POST /households/<int:household_id>/account-changes": (
        "422 403 403 403 404 302",
        "404 404 404 404 404 302",
    ),
    # the page reads a missing decision as "reject": the county approver may decide, so 302
    "POST /households/<int:household_id>/account-changes/<int:change_id>": (
        "403 403 302 403 404 302",
        "404 404 404 404 404 302",
    ),
    "POST /households/<int:household_id>/edit": ("422 403 403 403 404 302", "404 404 404 404 404 302"),
    "POST /households/<int:household_id>/loans/new": ("422 403 403 403 404 302", "404 404 404 404 404 302"),
    "POST /households/<int:household_id>/subsidies/new": (
        "422 403 403 403 404 302",
        "404 404 404 404 404 302",
    ),
    "POST /households/new": "422 403 403 403 403 302",
    "POST /households/import": "422 403 403 403 403 302",
    "POST /loans/<int:case_id>/<string:action>": ("403 409 403 403 404 302", "404 404 404 404 404 302"),
    "POST /login": "401 401 401 401 401 401",
    "POST /logout": "302 302 302 302 302 302",
    "POST /subsidies/<int:case_id>/<string:action>": ("403 403 409 403 404 302", "404 404 404 404 404 302"),
}


@pytest.fixture
def world(demo) -> dict[str, tuple[object, object]]:
    """One object of each kind in the demo clerk's village (own) and in another county (other)."""
    users = {u.username: u for u in db.session.scalars(select(User))}
    for code, name in (("341502", "外县"), ("341502001", "外县镇"), (OTHER_VILLAGE, "外县村")):
        create_region(None, code, name)
    uow.commit()
    deposit("341503", "1000000.00")
    free = fresh_households(VILLAGE)
    loans = [open_loan(users["clerk"], h) for h in free[:2]]
    today = clock.today()
    cases = [
        make_case(
            h,
            "applied",
            start=today,
            clerk=users["clerk"],
            verifier=users["approver"],
            approver=users["approver2"],
        )
        for h in free[2:4]
    ]
    posted = [
        make_case(
            h,
            "publicized",
            start=today,
            clerk=users["clerk"],
            verifier=users["approver"],
            approver=users["approver2"],
        )
        for h in free[4:6]
    ]
    changes = [
        households.request_account_change(
            users["clerk"],
            h.id,
            {"account_type": "card", "bank_account": "6217991234567890124", "bank_name": "裕安农商银行"},
        )
        for h in free[:2]
    ]
    uow.commit()
    publicities = [
        db.session.scalar(select(PublicityEntry.publicity_id).where(PublicityEntry.case_id == c.id))
        for c in posted
    ]
    other_households = [free[1].id, free[3].id, free[5].id, free[7].id]
    db.session.execute(
        update(Household).where(Household.id.in_(other_households)).values(village_code=OTHER_VILLAGE)
    )
    db.session.execute(update(Loan).where(Loan.id == loans[1].id).values(village_code=OTHER_VILLAGE))
    db.session.execute(
        update(SubsidyCase)
        .where(SubsidyCase.id.in_([cases[1].id, posted[1].id]))
        .values(village_code=OTHER_VILLAGE)
    )
    db.session.execute(
        update(Publicity).where(Publicity.id == publicities[1]).values(village_code=OTHER_VILLAGE)
    )
    jobs = [
        Job(
            kind="household_import",
            lock_key=village[:6],
            region_code=village,
            state="done",
            params={},
            payload_name="花名册.xlsx",
            created_by_id=users[starter].id,
            created_at=clock.now(),
        )
        for village, starter in ((VILLAGE, "clerk"), (OTHER_VILLAGE, "clerk2"))
    ]
    db.session.add_all(jobs)
    uow.commit()
    assert db.session.get(Region, OTHER_VILLAGE) is not None
    return {
        "job_id": (jobs[0].id, jobs[1].id),
        "household_id": (free[0].id, free[1].id),
        "loan_id": (loans[0].id, loans[1].id),
        "subsidy_id": (cases[0].id, cases[1].id),
        "publicity_id": (publicities[0], publicities[1]),
        "change_id": (changes[0].id, changes[1].id),
        "document_id": (2**31 - 1, 2**31 - 1),  # none: the case's scope answers first, else 404
    }


def _path(rule: str, region: int, world: dict) -> str:
    """The rule with its parameters filled for the own (0) or other (1) region."""

    def value(m: re.Match) -> str:
        name = m.group("name")
        if name == "action":
            return ACTIONS[rule]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name == "case_id":  # a loan's or a subsidy case's, by where the rule lives
            name = "loan_id" if rule.startswith(("/loans", "/api/v1/loans", "/documents")) else "subsidy_id"
        return str(world[name][region])

    path = re.sub(r"<(?:[a-z]+:)?(?P<name>\w+)>", value, rule)
    return path + (("?" + QUERIES[rule]) if rule in QUERIES else "")


def _routes(app) -> list[str]:
    return sorted(
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    )


def test_every_route_has_a_row_and_every_row_a_route(app):
    routes = set(_routes(app))
    assert sorted(routes - set(MATRIX)) == [], "routes without a row in MATRIX"
    assert sorted(set(MATRIX) - routes) == [], "rows of MATRIX without a route"


def _caller(app, client, role: str, api: bool, method: str):
    """A client and headers for ``role``: a bearer token for the API, a logged-in browser for the pages."""
    if role == "anonymous":
        return (client if api else PageClient(app, app.response_class, use_cookies=True)), {}
    if api:
        r = client.post("/api/v1/tokens", json={"username": USERS[role], "password": DEMO_PASSWORD})
        return client, {"Authorization": f"Bearer {r.json['token']}"}
    browser = PageClient(app, app.response_class, use_cookies=True)
    assert (
        browser.post("/login", data={"username": USERS[role], "password": DEMO_PASSWORD}).status_code == 302
    )
    return browser, {}


def _ask(app, client, role: str, method: str, path: str) -> int:
    api = path.startswith("/api/")
    caller, headers = _caller(app, client, role, api, method)
    kwargs = {"json": {}} if api and method in ("POST", "PUT", "PATCH") else {}
    if not api and method == "POST":
        kwargs = {"data": {}}
    return caller.open(path, method=method, headers=headers, **kwargs).status_code


def test_each_role_gets_the_status_of_its_row_for_its_own_and_another_region(app, client, world):
    observed: dict[str, list[str]] = {}
    wrong = []
    for route in _routes(app):
        method, rule = route.split(" ", 1)
        regions = (0, 1) if re.search(r"<(?:[a-z]+:)?\w+_id>", rule) else (0,)
        observed[route] = []
        for region in regions:
            path = _path(rule, region, world)
            statuses = [str(_ask(app, client, role, method, path)) for role in ROLES]
            observed[route].append(" ".join(statuses))
        expected = MATRIX.get(route)
        if expected is None:
            continue
        expected = (expected,) if isinstance(expected, str) else expected
        for region, (want, got) in enumerate(zip(expected, observed[route], strict=True)):
            for role, w, g in zip(ROLES, want.split(), got.split(), strict=True):
                if w != g:
                    wrong.append(f"{route} [{('own', 'other')[region]}] {role}: expected {w}, got {g}")
    if os.environ.get("LOANFLOW_ACCESS_MATRIX") == "print":
        for route, rows in observed.items():
            cells = f'"{rows[0]}"' if len(rows) == 1 else f'("{rows[0]}", "{rows[1]}")'
            print(f'    "{route}": {cells},')
    assert wrong == [], "\n".join(wrong)
