"""Fixtures: one app per test session, a clean database for every test that uses it.

SQLite by default (a file, so threads share it); PostgreSQL when TEST_DATABASE_URL
is set. Under pytest-xdist each worker gets its own database.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from sqlalchemy import text

os.environ.setdefault("LOANFLOW_TODAY", "2026-03-10")

from config import TestConfig  # noqa: E402
from loanflow import create_app  # noqa: E402
from loanflow.extensions import db  # noqa: E402

DEMO_PASSWORD = "demo-password"

pytest_plugins = ["loanflow.web.testing.fixtures"]


def _database_url(tmp: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url:
        return f"sqlite:///{tmp}/test{worker}.db"
    if not worker:
        return url
    import psycopg

    base, name = url.rsplit("/", 1)
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}_{worker} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}_{worker}")
    return f"{base}/{name}_{worker}"


@pytest.fixture(scope="session")
def _app():
    tmp = tempfile.mkdtemp(prefix="loanflow-test-")
    url = _database_url(tmp)
    overrides = {"SQLALCHEMY_DATABASE_URI": url}
    if url.startswith("postgresql"):
        # tests only: commits need not wait for the disk (the suite builds a county per test)
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": "-c synchronous_commit=off"}}
    app = create_app(TestConfig, overrides)
    app.config["ISSUE_DOCUMENTS_ON_ACTIONS"] = False  # renders cost 100–250 ms; documents tests turn it on
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _truncate(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(
                    text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
                )
            else:  # SQLite has no TRUNCATE: lift the append-only triggers while emptying
                from loanflow.audit.models import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL

                for statement in DROP_APPEND_ONLY_DDL["sqlite"]:
                    conn.exec_driver_sql(statement)
                for t in reversed(tables):
                    conn.execute(text(f'DELETE FROM "{t}"'))
                for statement in APPEND_ONLY_DDL["sqlite"]:
                    conn.exec_driver_sql(statement)


@pytest.fixture
def app(_app):
    """The app with an empty database; emptied again after the test."""
    _truncate(_app)
    ctx = _app.app_context()
    ctx.push()
    yield _app
    db.session.remove()
    ctx.pop()
    _truncate(_app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app):
    """The demo county with a few households (users: clerk, clerk2, officer, … password demo-password)."""
    from loanflow.demo import build_demo

    return build_demo(int(os.environ.get("TEST_DEMO_HOUSEHOLDS", "30")))


@pytest.fixture
def login(client, demo):
    """``login("clerk")`` → headers with that demo user's bearer token."""
    cache: dict[str, dict] = {}

    def _login(username: str) -> dict:
        if username not in cache:
            r = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 201, r.get_data(as_text=True)
            cache[username] = {"Authorization": f"Bearer {r.json['token']}"}
        return cache[username]

    return _login


@pytest.fixture
def users(demo):
    """The demo users by username."""
    from loanflow.accounts.models import User

    return {u.username: u for u in db.session.scalars(db.select(User))}
