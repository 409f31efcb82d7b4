"""The test databases: built once per run (per xdist worker), each test rolled back at its end.

Building the demo county takes far longer than any test that reads it, so it is built
once, into a database of its own, and every test runs inside a transaction on one
connection that is rolled back when the test ends (SQLAlchemy 2's "Joining a Session
into an External Transaction": the session is told ``join_transaction_mode=
"create_savepoint"``, so a ``commit()`` in a service only releases a savepoint).

Four databases per process, each made when a test first needs it:

- ``empty``   the schema only, for tests that use ``app`` without ``demo``;
- ``demo``    the demo county with its seeded cases (``build_demo``);
- ``bare``    the demo county without cases (regions, branches, users, households),
              for the tests marked ``bare_demo``;
- ``scratch`` emptied after each test: for the tests marked ``truncate``, whose threads
              race through connections of their own and so cannot share one transaction;
              they build the county they need themselves, as every test once did.

The session finds its connection through ``db.engines`` (Flask-SQLAlchemy's
``Session.get_bind`` reads it), so for a test the app's default engine is replaced
there by the test's connection (or by the scratch engine) and put back afterwards.
SQLite's savepoints work because ``loanflow.core.database`` turns off pysqlite's own
transaction handling and emits ``BEGIN`` itself (the recipe in SQLAlchemy's SQLite docs).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from loanflow.extensions import db

KINDS = ("empty", "demo", "bare", "scratch")


def demo_households() -> int:
    """How many households the test county has (``TEST_DEMO_HOUSEHOLDS``, 30 by default)."""
    return int(os.environ.get("TEST_DEMO_HOUSEHOLDS", "30"))


def test_database_url(kind: str = "empty") -> str:
    """Where the database of ``kind`` lives for this process: a SQLite file, or PostgreSQL when
    ``TEST_DATABASE_URL`` is set (each xdist worker and each kind get a database of their own)."""
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    suffix = "".join(f"_{part}" for part in (worker, "" if kind == "empty" else kind) if part)
    if not url:
        return f"sqlite:///{_tmp()}/test{suffix}.db"
    if not suffix:
        return url  # the database named by TEST_DATABASE_URL itself, as it always was
    import psycopg

    base, name = url.rsplit("/", 1)
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}{suffix} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}{suffix}")
    return f"{base}/{name}{suffix}"


_TMP: list[str] = []


def _tmp() -> str:
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="loanflow-test-"))
    return _TMP[0]


def build_county(with_cases: bool) -> dict[str, Any]:
    """The demo county (with or without its seeded cases) in the database the session is bound to."""
    from loanflow import demo

    return demo.build_demo(demo_households(), case_builders=demo.CASE_BUILDERS if with_cases else ())


def reset_process_state(app: Flask) -> None:
    """Forget what the process keeps from a database: the parsed policy versions (a rolled-back
    test may have published a version whose number the next test publishes again), and the app's
    wrong-password counts (in memory)."""
    from loanflow.accounts.login import COUNTS
    from loanflow.policy import services as policy

    policy._cache.clear()
    if COUNTS in app.extensions:
        app.extensions[COUNTS].reset()


def truncate(engine: Engine) -> None:
    """Empty every table (the audit trail's append-only triggers are lifted meanwhile)."""
    tables = [t.name for t in db.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate")
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
            conn.exec_driver_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_truncate")
        else:
            from loanflow.audit.models import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL

            for statement in DROP_APPEND_ONLY_DDL["sqlite"]:
                conn.exec_driver_sql(statement)
            for t in reversed(tables):
                conn.execute(text(f'DELETE FROM "{t}"'))
            for statement in APPEND_ONLY_DDL["sqlite"]:
                conn.exec_driver_sql(statement)


class TestDatabases:
    """The databases of this process for one app, and the switch that points the app at one."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, app: Flask) -> None:
        self.app = app
        with app.app_context():
            # the very dict Flask-SQLAlchemy reads on every get_bind (``db.engines``)
            self._engines = db.engines
        self._default: Engine = self._engines[None]
        self._ready: dict[str, Engine] = {}
        self._summaries: dict[str, dict[str, Any]] = {}
        # a commit inside a test releases a savepoint of the test's transaction
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")

    def engine(self, kind: str) -> Engine:
        """The engine of the database of ``kind``, made (schema, county) on first use."""
        if kind not in self._ready:
            self._ready[kind] = self._make(kind)
        return self._ready[kind]

    def summary(self, kind: str) -> dict[str, Any]:
        """What ``build_demo`` answered when the county of ``kind`` was built."""
        return self._summaries[kind]

    def _make(self, kind: str) -> Engine:
        if kind == "empty":
            engine = self._default
        else:
            from loanflow.core.database import configure_engine

            options = dict(self.app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
            engine = create_engine(test_database_url(kind), **options)
            configure_engine(engine)
        with self.bound_to(engine), self.app.app_context():
            reset_process_state(self.app)
            db.drop_all()
            db.create_all()
            if kind in ("demo", "bare"):
                self._summaries[kind] = build_county(with_cases=kind == "demo")
            db.session.remove()
        return engine

    @contextmanager
    def bound_to(self, bind: Engine | Connection) -> Iterator[None]:
        """The app's sessions use ``bind`` inside the block."""
        self._engines[None] = bind
        try:
            yield
        finally:
            self._engines[None] = self._default

    @contextmanager
    def rolled_back(self, kind: str) -> Iterator[Connection]:
        """A connection to the database of ``kind`` in a transaction that is rolled back at the end;
        every session of the app joins it."""
        engine = self.engine(kind)
        conn = engine.connect()
        outer = conn.begin()
        try:
            with self.bound_to(conn):
                yield conn
        finally:
            if outer.is_active:
                outer.rollback()
            conn.close()

    @contextmanager
    def truncated_after(self) -> Iterator[Engine]:
        """The scratch database, emptied at the end (for tests whose threads need connections of
        their own)."""
        engine = self.engine("scratch")
        try:
            with self.bound_to(engine):
                yield engine
        finally:
            truncate(engine)

    def dispose(self) -> None:
        for engine in self._ready.values():
            engine.dispose()
        self._default.dispose()
