"""Statements per API request, pinned so they cannot creep back (issue 14)."""

from __future__ import annotations

import pytest

from loanflow.loans.testing.factories import open_loan
from loanflow.testing.querycount import statements

pytestmark = pytest.mark.bare_demo


def _sql(seen: list[str]) -> list[str]:
    """The statements a request sends, without the test's savepoints (and SQLite's BEGIN)."""
    return [s for s in seen if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN"))]


@pytest.fixture
def applied(funded, household):
    return open_loan(funded["clerk"], household)


def test_loan_detail(client, login, applied, funded):
    loan_id = applied.id
    headers = login("officer")
    client.get(f"/api/v1/loans/{loan_id}", headers=headers)
    with statements() as seen:
        r = client.get(f"/api/v1/loans/{loan_id}", headers=headers)
    assert r.status_code == 200
    assert len(_sql(seen)) == 3, _sql(seen)  # token + user + branch; the loan; the timeline with its names


def test_loan_list(client, login, applied, funded):
    headers = login("officer")
    client.get("/api/v1/loans?page=1", headers=headers)
    with statements() as seen:
        r = client.get("/api/v1/loans?page=1", headers=headers)
    assert r.status_code == 200
    assert len(_sql(seen)) == 3, _sql(seen)


def test_reject(client, login, applied, funded, monkeypatch):
    """8 statements and the dashboard's mark of the loan's township (one UPDATE before the commit). The
    rollup's rebuild is left out: the worker does it after the request (the suite runs tasks at once)."""
    from loanflow.supervision.dashboard import keeping

    monkeypatch.setattr(keeping, "enqueue_after_commit", lambda *_args: None)
    loan_id = applied.id
    headers = login("officer")
    with statements() as seen:
        r = client.post(f"/api/v1/loans/{loan_id}/reject", json={"reason": "银行审查未通过"}, headers=headers)
    assert r.status_code == 200, r.json
    assert len(_sql(seen)) == 9, _sql(seen)  # the bare app's 8 and the dashboard rollup's township mark
    assert sum("dashboard_rollup_township" in s for s in _sql(seen)) == 1


def test_disbursed_detail(client, login, funded):
    from loanflow.loans.testing.factories import disbursed_loan

    loan_id = disbursed_loan(funded).id
    headers = login("officer")
    client.get(f"/api/v1/loans/{loan_id}", headers=headers)
    with statements() as seen:
        r = client.get(f"/api/v1/loans/{loan_id}", headers=headers)
    assert r.status_code == 200
    assert len(_sql(seen)) == 7, _sql(seen)


@pytest.mark.postgres_only
def test_every_connection_runs_without_jit(app):
    """JIT compiling took 300–420 ms of a few-millisecond query on large tables: the app turns it off."""
    from loanflow.extensions import db

    assert db.session.execute(db.text("SHOW jit")).scalar() == "off"


@pytest.mark.postgres_only
def test_every_connection_plans_each_statement_for_its_values(app):
    """A county and a township send the same SQL with different code ranges: no generic plan for both."""
    from loanflow.extensions import db

    assert db.session.execute(db.text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
