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
another county. A route with no object of a region in its path (a list, a create, the login page,
a policy version, a calendar year) has one string instead of the pair. A path parameter is filled
from ``CONSTANTS`` (the same for both regions: ``version``, ``a``/``b``, ``year``, a language …) or
from ``world`` by name (``household_id``, ``loan_id``, ``case_id``, ``publicity_id``, ``change_id``,
``document_id``, ``user_id``, ``branch_id``, ``region_code``, ``sample_id``, …): a new kind of
object adds its name to ``world`` with an object in each region; a parameter whose name means
another kind in one rule (``<code>`` of a region, the schedule's disbursed loan) is in ``RENAMED``.
``world`` is built once for the whole table, not per cell. A route whose
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
from loanflow.accounts.services import create_branch, create_region, create_user
from loanflow.core import clock, uow
from loanflow.core.regions import Region
from loanflow.extensions import db
from loanflow.households import services as households
from loanflow.households.models import Household
from loanflow.jobs.models import Job
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import deposit, disbursed_loan, fresh_households, open_loan
from loanflow.subsidies.models import Publicity, PublicityEntry, SubsidyCase
from loanflow.subsidies.testing.factories import make_case
from loanflow.supervision.models import SpotCheck
from loanflow.supervision.services import spot_checks
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
    "/policy/compare": "a=1&b=1",
    "/api/v1/reports/monthly": "month=2026-02",
    "/supervision/reports/monthly": "month=2026-02",
}
# values that are the same for both regions (the policy and the calendar are the whole service's)
CONSTANTS = {
    "code": "en",
    "filename": "app.css",
    "case_type": "loan",
    "version": "1",
    "a": "1",
    "b": "1",
    "year": "2026",
    "position": "30",  # a section of the work queue (the subsidies waiting for an approver)
    "token": "0"
    * 64,  # a checked upload nobody kept: the clerk, who may import, gets 404; the others 403 first
}
# a parameter whose name means something else in this rule: the name of its kind in ``world``
RENAMED = {
    "/api/v1/regions/<code>": {"code": "region_code"},
    "/api/v1/loans/<int:loan_id>/schedule": {"loan_id": "disbursed_loan_id"},  # no plan before disbursement
}

#         clerk officer approver supervisor admin anonymous
MATRIX: dict[str, str | tuple[str, str]] = {
    "DELETE /api/v1/tokens": "204 204 204 204 204 401",
    # admins and supervisors start on their own home (core.signals.role_home: /admin, /supervision)
    "GET /": "200 200 200 302 302 302",
    "GET /queue/<int:position>": "200 200 200 302 302 302",
    "GET /admin": "403 403 403 403 200 302",
    "GET /admin/branches": "403 403 403 403 200 302",
    "GET /admin/regions": "403 403 403 403 200 302",
    # the audit search is supervision's (DOMAIN.md: the supervisor reads the audit trail); verifying the
    # chains (GET /audit/verify) stays open to the admin too
    "GET /api/v1/audit/events": "403 403 403 200 403 401",
    "GET /api/v1/audit/verify": "403 403 403 200 200 401",
    "GET /api/v1/branches": "403 403 403 403 200 401",
    "GET /api/v1/calendar/years/<int:year>": "403 403 403 403 200 401",
    "GET /api/v1/claims": "404 200 200 200 404 401",
    "GET /api/v1/dashboard": "403 403 403 200 403 401",
    "GET /api/v1/flags": "403 403 403 200 403 401",
    "GET /api/v1/fund": "404 200 404 200 200 401",
    "GET /api/v1/households": "200 200 200 200 200 401",
    "GET /api/v1/households/<int:household_id>": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/households/export": "200 200 200 200 403 401",
    "GET /api/v1/jobs/<int:job_id>": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
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
    # every role reads the policy and its versions (GET /policy, /policy/versions); DOMAIN.md lists
    # the diff under Administration (admin): see report
    "GET /api/v1/policy/versions/<int:a>/diff/<int:b>": "200 200 200 200 200 401",
    "GET /api/v1/policy/versions/<int:version>": "200 200 200 200 200 401",
    "GET /api/v1/presses": "403 403 403 200 403 401",
    "GET /api/v1/publicity": "200 200 200 200 200 401",
    "GET /api/v1/publicity/<int:publicity_id>": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/publicity/<int:publicity_id>/pdf": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/regions": "403 403 403 403 200 401",
    "GET /api/v1/reports/monthly": "403 403 403 200 403 401",
    "GET /api/v1/spot-checks": "403 403 403 200 403 401",
    # a sample is the supervisors' alone: another role is refused (403) before its region is looked at,
    # as the admin's users, regions and branches are
    "GET /api/v1/spot-checks/<int:sample_id>": ("403 403 403 200 403 401", "403 403 403 404 403 401"),
    "GET /api/v1/stalled": "403 403 403 200 403 401",
    "GET /api/v1/subsidies": "200 200 200 200 200 401",
    "GET /api/v1/subsidies/<int:case_id>": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/subsidies/<int:case_id>/documents": ("200 200 200 200 404 401", "404 404 404 404 404 401"),
    "GET /api/v1/subsidies/<int:case_id>/documents/<int:document_id>": (
        "404 404 404 404 404 401",
        "404 404 404 404 404 401",
    ),
    "GET /api/v1/supervision/summary": "403 403 403 200 403 401",
    "GET /api/v1/users": "403 403 403 403 200 401",
    "GET /api/v1/users/<int:user_id>": ("403 403 403 403 200 401", "403 403 403 403 404 401"),
    "GET /calendar": "403 403 403 403 200 302",
    "GET /calendar/<int:year>": "403 403 403 403 200 302",
    "GET /claims": "404 200 200 200 404 302",
    "GET /claims.xlsx": "404 200 200 200 404 302",
    "GET /documents/<string:case_type>/<int:case_id>/<int:document_id>": (
        "404 404 404 404 404 302",
        "404 404 404 404 404 302",
    ),
    # the same readers as GET /api/v1/fund: the county's admin and supervisor, its branches' officers
    "GET /fund": "404 200 404 200 200 302",
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
    "GET /households/export": "200 200 200 200 403 302",
    "GET /households/import": "200 403 403 403 403 302",
    "GET /households/import/<token>/marked.xlsx": "404 403 403 403 403 302",
    # a job is seen by its starter and by users whose region holds it, not by the admin (no register data)
    "GET /households/import/jobs/<int:job_id>": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "GET /households/import/jobs/<int:job_id>/progress": (
        "200 200 200 200 404 302",
        "404 404 404 404 404 302",
    ),
    "GET /households/new": "200 403 403 403 403 302",
    "GET /lang/<code>": "302 302 302 302 302 302",
    "GET /loans": "200 200 200 200 200 302",
    "GET /loans/<int:case_id>": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "GET /login": "200 200 200 200 200 200",
    "GET /password": "200 200 200 200 200 302",
    "GET /policy": "403 403 403 403 200 302",
    "GET /policy/compare": "403 403 403 403 200 302",
    "GET /policy/new": "403 403 403 403 200 302",
    "GET /policy/terms": "200 200 200 200 200 302",
    "GET /policy/versions": "403 403 403 403 200 302",
    "GET /publicity": "200 200 200 200 200 302",
    "GET /publicity/<int:publicity_id>": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "GET /publicity/<int:publicity_id>/pdf": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "GET /static/<path:filename>": "200 200 200 200 200 200",
    "GET /subsidies": "200 200 200 200 200 302",
    "GET /subsidies/<int:case_id>": ("200 200 200 200 404 302", "404 404 404 404 404 302"),
    "GET /supervision": "403 403 403 200 403 302",
    "GET /supervision/audit": "403 403 403 200 403 302",
    "GET /supervision/dashboard": "403 403 403 200 403 302",
    "GET /supervision/flags": "403 403 403 200 403 302",
    # a case's scope first (the admin sees no case: 404), then the supervisor's role
    "GET /supervision/press/<any(loan, subsidy):case_type>/<int:case_id>": (
        "403 403 403 200 404 302",
        "404 404 404 404 404 302",
    ),
    "GET /supervision/presses": "403 403 403 200 403 302",
    "GET /supervision/reports/monthly": "403 403 403 200 403 302",
    "GET /supervision/spot-checks": "403 403 403 200 403 302",
    "GET /supervision/spot-checks/<int:sample_id>": ("403 403 403 200 403 302", "403 403 403 404 403 302"),
    "GET /supervision/stalled": "403 403 403 200 403 302",
    "GET /supervision/stalled.xlsx": "403 403 403 200 403 302",
    "GET /users": "403 403 403 403 200 302",
    "GET /users/<int:user_id>": ("403 403 403 403 200 302", "403 403 403 403 404 302"),
    "GET /users/new": "403 403 403 403 200 302",
    "PATCH /api/v1/branches/<int:branch_id>": ("403 403 403 403 200 401", "403 403 403 403 404 401"),
    "PATCH /api/v1/households/<int:household_id>": ("200 403 403 403 404 401", "404 404 404 404 404 401"),
    # the county before the body: another county's node is 404 (was 422)
    "PATCH /api/v1/regions/<code>": ("403 403 403 403 422 401", "403 403 403 403 404 401"),
    "PATCH /api/v1/users/<int:user_id>": ("403 403 403 403 200 401", "403 403 403 403 404 401"),
    "POST /admin/branches": "403 403 403 403 422 302",
    "POST /admin/branches/<int:branch_id>": ("403 403 403 403 422 302", "403 403 403 403 404 302"),
    "POST /admin/regions": "403 403 403 403 422 302",
    "POST /api/v1/branches": "403 403 403 403 422 401",
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
    "POST /api/v1/loans/<int:loan_id>/press": ("403 403 403 422 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/loans/<int:loan_id>/receipt": ("201 201 403 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/policy": "403 403 403 403 422 401",
    "POST /api/v1/regions": "403 403 403 403 422 401",
    "POST /api/v1/spot-checks": "403 403 403 422 403 401",
    "POST /api/v1/spot-checks/<int:sample_id>/closings": (
        "403 403 403 422 403 401",
        "403 403 403 404 403 401",
    ),
    "POST /api/v1/spot-checks/<int:sample_id>/findings": (
        "403 403 403 422 403 401",
        "403 403 403 404 403 401",
    ),
    "POST /api/v1/subsidies": "422 403 403 403 403 401",
    "POST /api/v1/subsidies/<int:case_id>/approve": ("403 403 409 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/disburse": ("403 403 409 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/documents": ("422 403 422 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/object": ("403 403 409 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/press": ("403 403 403 422 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/publicize": ("403 403 409 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/receipt": ("201 403 201 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/reject": ("403 403 422 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/verify": ("403 403 422 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/subsidies/<int:case_id>/withdraw": ("422 403 403 403 404 401", "404 404 404 404 404 401"),
    "POST /api/v1/tokens": "422 422 422 422 422 422",
    "POST /api/v1/users": "403 403 403 403 422 401",
    "POST /calendar/<int:year>": "403 403 403 403 422 302",
    "POST /documents/<string:case_type>/<int:case_id>/receipt": (
        "302 302 403 403 404 302",
        "404 404 404 404 404 302",
    ),
    # the role before the form, as the API does (was 404/422 for the others)
    "POST /fund/deposits": "403 403 403 403 422 302",
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
    "POST /households/import": "422 403 403 403 403 302",
    "POST /households/import/<token>": "404 403 403 403 403 302",
    "POST /households/new": "422 403 403 403 403 302",
    "POST /loans/<int:case_id>/<string:action>": ("403 409 403 403 404 302", "404 404 404 404 404 302"),
    "POST /login": "401 401 401 401 401 401",
    "POST /logout": "302 302 302 302 302 302",
    "POST /password": "422 422 422 422 422 302",
    # an empty form is the form again with nothing changed (a preview): nothing is published
    "POST /policy/new": "403 403 403 403 200 302",
    "POST /publicity/<int:publicity_id>/<string:action>": (
        "403 403 200 403 404 302",
        "404 404 404 404 404 302",
    ),
    "POST /subsidies/<int:case_id>/<string:action>": ("403 403 409 403 404 302", "404 404 404 404 404 302"),
    "POST /supervision/audit": "403 403 403 200 403 302",
    "POST /supervision/press/<any(loan, subsidy):case_type>/<int:case_id>": (
        "403 403 403 422 404 302",
        "404 404 404 404 404 302",
    ),
    "POST /supervision/spot-checks": "403 403 403 422 403 302",
    "POST /supervision/spot-checks/<int:sample_id>": ("403 403 403 422 403 302", "403 403 403 404 403 302"),
    # an empty form keeps the user's values: nothing changes
    "POST /users/<int:user_id>": ("403 403 403 403 302 302", "403 403 403 403 404 302"),
    # without active=yes|no nothing changes (it used to deactivate the user)
    "POST /users/<int:user_id>/active": ("403 403 403 403 422 302", "403 403 403 403 404 302"),
    "POST /users/<int:user_id>/password": ("403 403 403 403 422 302", "403 403 403 403 404 302"),
    # every missing field named (it used to be a 500)
    "POST /users/new": "403 403 403 403 422 302",
    # an empty body is accepted: holidays and make-up days default to none (the calendar branch chose it)
    "PUT /api/v1/calendar/years/<int:year>": "403 403 403 403 200 401",
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
    disbursed = [disbursed_loan(users, on=clock.today(), household=h) for h in free[8:10]]
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
    other_households = [free[1].id, free[3].id, free[5].id, free[7].id, free[9].id]
    db.session.execute(
        update(Household).where(Household.id.in_(other_households)).values(village_code=OTHER_VILLAGE)
    )
    db.session.execute(
        update(Loan).where(Loan.id.in_([loans[1].id, disbursed[1].id])).values(village_code=OTHER_VILLAGE)
    )
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
    admin = _other_county_admin_objects(users)
    return {
        **admin,
        "job_id": (jobs[0].id, jobs[1].id),
        "household_id": (free[0].id, free[1].id),
        "loan_id": (loans[0].id, loans[1].id),  # applied: the officer's disburse is 409
        "disbursed_loan_id": (disbursed[0].id, disbursed[1].id),  # a loan with a plan
        "subsidy_id": (cases[0].id, cases[1].id),
        "publicity_id": (publicities[0], publicities[1]),
        "change_id": (changes[0].id, changes[1].id),
        "document_id": (2**31 - 1, 2**31 - 1),  # none: the case's scope answers first, else 404
    }


def _other_county_admin_objects(users: dict[str, User]) -> dict[str, tuple[object, object]]:
    """A user, a township, a branch and a spot-check sample in the demo county and in another one.

    The users are made for the matrix, so an admin's route that changes one never locks a caller out."""
    own, stranger = (
        create_user(
            None,
            username=f"matrix-{n}",
            full_name="矩阵经办员",
            role="clerk",
            region_code=village,
            password=DEMO_PASSWORD,
        )
        for n, village in enumerate((VILLAGE, OTHER_VILLAGE))
    )
    branch = create_branch(
        None,
        name="外县网点",
        bank="外县农商银行",
        address="",
        county_code="341502",
        township_codes=["341502001"],
    )
    today = clock.today()
    draw = {"product": "loan", "opened_from": today.replace(day=1), "opened_to": today, "size": 2}
    samples = [
        spot_checks.draw_spot_check(users["supervisor"], {**draw, "region": "341503", "seed": seed})
        for seed in ("own", "other")
    ]
    uow.commit()
    db.session.execute(update(SpotCheck).where(SpotCheck.id == samples[1].id).values(region_code="341502"))
    uow.commit()
    return {
        "user_id": (own.id, stranger.id),
        "branch_id": (users["officer"].branch_id, branch.id),
        "region_code": (VILLAGE[:9], "341502001"),
        "sample_id": (samples[0].id, samples[1].id),
    }


def _path(rule: str, region: int, world: dict) -> str:
    """The rule with its parameters filled for the own (0) or other (1) region."""

    def value(m: re.Match) -> str:
        name = _kind(rule, m.group("name"))
        if name == "action":
            return ACTIONS[rule]
        if name in CONSTANTS:
            return CONSTANTS[name]
        return str(world[name][region])

    path = re.sub(PARAM, value, rule)
    return path + (("?" + QUERIES[rule]) if rule in QUERIES else "")


PARAM = r"<(?:[a-z]+(?:\([^)]*\))?:)?(?P<name>\w+)>"
LOAN_RULES = ("/loans", "/api/v1/loans", "/documents", "/supervision/press")  # case_type is "loan"


def _kind(rule: str, name: str) -> str:
    """The kind of object (a key of ``world`` or ``CONSTANTS``) a parameter of ``rule`` names."""
    name = RENAMED.get(rule, {}).get(name, name)
    if name == "case_id":  # a loan's or a subsidy case's, by where the rule lives
        return "loan_id" if rule.startswith(LOAN_RULES) else "subsidy_id"
    return name


def _regional(rule: str) -> bool:
    """Whether the rule names an object of a region (asked for the own and the other region)."""
    kinds = {_kind(rule, m.group("name")) for m in re.finditer(PARAM, rule)}
    return bool(kinds - set(CONSTANTS) - {"action"})


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


ENDS_SESSION = {("DELETE", "/api/v1/tokens"), ("POST", "/logout")}  # the caller logs in again after these


def _ask(app, client, role: str, method: str, path: str, callers: dict) -> int:
    """The status ``role`` gets; each role logs in once (a token, a browser) and again after a logout."""
    api = path.startswith("/api/")
    key = (role, api)
    if key not in callers or role == "anonymous":
        callers[key] = _caller(app, client, role, api, method)
    caller, headers = callers[key]
    kwargs = {"json": {}} if api and method in ("POST", "PUT", "PATCH") else {}
    if not api and method == "POST":
        kwargs = {"data": {}}
    status = caller.open(path, method=method, headers=headers, **kwargs).status_code
    if (method, path) in ENDS_SESSION:
        del callers[key]
    return status


def test_each_role_gets_the_status_of_its_row_for_its_own_and_another_region(app, client, world):
    observed: dict[str, list[str]] = {}
    callers: dict[tuple[str, bool], tuple] = {}
    wrong = []
    for route in _routes(app):
        method, rule = route.split(" ", 1)
        regions = (0, 1) if _regional(rule) else (0,)
        observed[route] = []
        for region in regions:
            path = _path(rule, region, world)
            statuses = [str(_ask(app, client, role, method, path, callers)) for role in ROLES]
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
