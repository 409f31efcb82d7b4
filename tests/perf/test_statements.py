"""Statements per API request, pinned so they cannot creep back (issue 14)."""

from __future__ import annotations

import pytest

from loanflow.loans.testing.factories import open_loan
from loanflow.testing.querycount import request_sql, statements

pytestmark = pytest.mark.bare_demo


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
    # token + user + branch; the loan; the timeline with its names
    assert len(request_sql(seen)) == 3, request_sql(seen)


def test_loan_list(client, login, applied, funded):
    headers = login("officer")
    client.get("/api/v1/loans?page=1", headers=headers)
    with statements() as seen:
        r = client.get("/api/v1/loans?page=1", headers=headers)
    assert r.status_code == 200
    assert len(request_sql(seen)) == 3, request_sql(seen)


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
    # the bare app's 8 and the dashboard rollup's township mark
    assert len(request_sql(seen)) == 9, request_sql(seen)
    assert sum("dashboard_rollup_township" in s for s in request_sql(seen)) == 1


def test_disbursed_detail(client, login, funded):
    from loanflow.loans.testing.factories import disbursed_loan

    loan_id = disbursed_loan(funded).id
    headers = login("officer")
    client.get(f"/api/v1/loans/{loan_id}", headers=headers)
    with statements() as seen:
        r = client.get(f"/api/v1/loans/{loan_id}", headers=headers)
    assert r.status_code == 200
    assert len(request_sql(seen)) == 7, request_sql(seen)


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


@pytest.mark.postgres_only
def test_a_result_describes_its_columns_as_psycopg_does(app):
    """The app's cursors describe a result's columns when they are read (``core.database``): the same
    columns psycopg describes, also once the cursor has run another statement."""
    import psycopg

    from loanflow.extensions import db

    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cur:
        cur.execute("SELECT 1 AS one, 'x'::text AS letter, now() AS at")
        described = cur.description
        assert [tuple(c) for c in described] == [tuple(c) for c in psycopg.Cursor.description.fget(cur)]
        assert [c.name for c in described] == ["one", "letter", "at"] and len(described) == 3
        cur.execute("SELECT 2 AS two")
        assert [c.name for c in described] == ["one", "letter", "at"]  # its own result's columns
        assert [c.name for c in cur.description] == ["two"]
        cur.execute("SET LOCAL work_mem = '8MB'")
        assert cur.description is None  # no rows: None, as psycopg says
        cur.execute("SELECT")
        assert cur.description is not None and len(cur.description) == 0  # rows of no columns
    from sqlalchemy import literal, select

    stmt = select(literal(1).label("one"), literal("二").label("two"))
    first = db.session.execute(stmt)  # its columns matched with the description
    assert list(first.mappings()) == [{"one": 1, "two": "二"}]
    assert first.context.compiled._cached_metadata is not None  # from now on only checked against None
    again = db.session.execute(stmt)
    assert again.context.compiled is first.context.compiled
    assert list(again.mappings()) == [{"one": 1, "two": "二"}]


def test_a_case_read_by_id_is_read_as_session_get_reads_it(applied):
    """``uow.get`` (the case loaders' read by id): one prebuilt SELECT for a case the session does not
    hold, none for one it holds, and an expired one read afresh, as ``Session.get`` does."""
    from loanflow.core import uow
    from loanflow.extensions import db
    from loanflow.loans.models import Loan

    loan_id = applied.id
    with statements() as seen:  # from an empty session
        fetched = uow.get(Loan, loan_id)
        assert len(request_sql(seen)) == 1 and fetched.id == loan_id and fetched.state == "applied"
        assert uow.get(Loan, loan_id) is fetched and db.session.get(Loan, loan_id) is fetched
    assert len(request_sql(seen)) == 1  # held: not read again
    assert len(request_sql(seen)) == 1
    db.session.expire(fetched)
    assert uow.get(Loan, loan_id) is fetched and fetched.state == "applied"
    assert uow.get(Loan, 10**9) is None
