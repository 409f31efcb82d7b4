"""SQLite as an embedded default that is still safe under concurrent writers.

A writing transaction starts with ``BEGIN IMMEDIATE`` (the recipe of SQLAlchemy's
SQLite dialect docs): it takes the write lock at once, so two requests racing on
one row are ordered instead of failing with "database is locked". GET requests
begin deferred and read a WAL snapshot without the lock, so readers never block
writers; a GET that writes (``writes_on_get``: the audit verification records
itself) begins IMMEDIATE, since a deferred transaction that read a snapshot cannot
take the write lock once another writer has committed after it ("database is locked"
at once, whatever the busy timeout). Every commit is synced to disk, because these are
money records.

PostgreSQL: each new connection turns JIT compilation off (``SET jit = off``). The app's statements
are short lookups by index; on a large table the planner's cost estimate crosses ``jit_above_cost``
and compiling the expressions took 300–420 ms of a query that runs in a few milliseconds (issue 14).
And every statement is planned for its own values (``plan_cache_mode = force_custom_plan``): psycopg
prepares a statement after five runs, and PostgreSQL then may keep one generic plan for the SQL
whatever the values — but a county and a township (or a village) send the same SQL with different
code ranges, and the plan that suits one does not suit the other: the generic plan of the stalled
queue's page read a township's index over the whole county (15,000 entries and a sort at a million
cases, 3–6 ms, where the county's own plan reads 50). Planning each run costs a fraction of that.
Its cursors describe a result's columns only when they are read (``_Description``). Nothing else
deviates from the server's defaults: the settings that matter for one server
(``shared_buffers``, ``work_mem``) belong to its configuration, not to the app.
"""

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if ":memory:" not in str(engine.url):
            cur.execute("PRAGMA journal_mode=WAL")
        # FULL (SQLite's default, kept explicit): a committed repayment survives a power cut.
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


WRITING_GETS = "loanflow.writing_gets"  # app.extensions key: the endpoints whose GET writes


def writes_on_get(app: Flask, *endpoints: str) -> None:
    """These endpoints' GETs write (the audit verification records itself): on SQLite their transaction
    begins IMMEDIATE like a POST's. Named by the feature that owns them, in its ``init_app``."""
    app.extensions.setdefault(WRITING_GETS, set()).update(endpoints)


def _read_only_request() -> bool:
    """A GET reads: with WAL it need not hold the write lock, so readers never block writers."""
    from flask import current_app, has_request_context, request

    if not (has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")):
        return False
    return request.endpoint not in current_app.extensions.get(WRITING_GETS, ())


POSTGRESQL_SETTINGS = {"jit": "off", "plan_cache_mode": "force_custom_plan"}  # see the module docstring


class _Description(Sequence):
    """A result's ``cursor.description``, its columns described only when read.

    psycopg builds a ``Column`` per column on every read of ``description`` (its name decoded, its
    type looked up). SQLAlchemy reads it after every statement that returns rows, but for a statement
    it has run before (its compiled form cached) it only checks that it is not None: the loan's 78
    columns cost 0.1 ms of Python a statement for nothing (issue 14). The result is kept: its columns
    are described from it whenever they are read, even after the cursor ran another statement.

    It leans on psycopg's ``Column(cursor, index)`` reading only the cursor's ``pgresult``,
    ``_encoding`` and ``adapters`` (psycopg is pinned in requirements.txt); the PostgreSQL test
    ``test_a_result_describes_its_columns_as_psycopg_does`` compares the two on every run.
    """

    __slots__ = ("_source", "_columns")

    def __init__(self, cursor: Any):
        self._source = SimpleNamespace(
            pgresult=cursor.pgresult, _encoding=cursor._encoding, adapters=cursor.adapters
        )
        self._columns: list | None = None

    def _described(self) -> list:
        if self._columns is None:
            from psycopg import Column

            self._columns = [Column(self._source, i) for i in range(self._source.pgresult.nfields)]
        return self._columns

    def __len__(self) -> int:
        return self._source.pgresult.nfields

    def __getitem__(self, index):
        return self._described()[index]

    def __iter__(self):
        return iter(self._described())

    def __repr__(self) -> str:
        return repr(self._described())


def _lazy_cursor_class() -> type:
    """psycopg's cursor with ``_Description`` (made when a PostgreSQL engine is configured: SQLite
    never imports psycopg)."""
    import psycopg
    from psycopg.pq import ExecStatus

    rows = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)

    class LazyDescriptionCursor(psycopg.Cursor):
        """psycopg's cursor; its ``description`` says the same, described when read (``_Description``)."""

        @property
        def description(self):
            res = self.pgresult
            if res and (res.nfields or res.status in rows):  # psycopg's own test
                return _Description(self)
            return None

    return LazyDescriptionCursor


def _configure_postgresql(engine: Engine) -> None:
    cursor_class = _lazy_cursor_class()

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.cursor_factory = cursor_class
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a session setting outside any transaction: kept for good
        with dbapi_connection.cursor() as cur:
            for name, value in POSTGRESQL_SETTINGS.items():
                cur.execute(f"SET {name} = {value}")
        dbapi_connection.autocommit = autocommit
