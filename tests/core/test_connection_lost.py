"""The database drops a pooled connection (a restart, a failover, an administrator's
``pg_terminate_backend``): with no ping before each request, the request that finds the dead
connection is answered 503 with Retry-After — never a 500 — and the next one works."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from config import TestConfig
from loanflow import create_app
from loanflow.extensions import db

pytestmark = pytest.mark.postgres_only

BOGUS = {"Authorization": "Bearer lf_not-a-token"}


def test_a_dropped_connection_is_503_with_retry_after_and_the_next_request_reconnects(app):
    # The run's own database, as the app has it: asking ``test_database_url()`` again would drop and
    # recreate an xdist worker's database under the tests that follow on that worker.
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    node = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    client = node.test_client()
    assert client.get("/api/v1/loans", headers=BOGUS).status_code == 401  # the token looked up: pooled
    with node.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()  # back to the pool, still the one connection
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]

    lost = client.get("/api/v1/loans", headers=BOGUS)
    assert lost.status_code == 503 and lost.headers["Retry-After"] == "1"
    assert lost.headers["Content-Type"] == "application/problem+json"
    assert "重新连接" in lost.get_json()["detail"]
    assert client.get("/api/v1/loans", headers=BOGUS).status_code == 401  # reconnected

    with node.app_context():
        db.engine.dispose()
