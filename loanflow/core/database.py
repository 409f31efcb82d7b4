"""SQLite as an embedded default that is still safe under concurrent writers.

A writing transaction starts with ``BEGIN IMMEDIATE`` (the recipe of SQLAlchemy's
SQLite dialect docs): it takes the write lock at once, so two requests racing on
one row are ordered instead of failing with "database is locked". GET requests
begin deferred and read a WAL snapshot without the lock, so readers never block
writers. Every commit is synced to disk, because these are money records.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine) -> None:
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


def _read_only_request() -> bool:
    """A GET reads: with WAL it need not hold the write lock, so readers never block writers."""
    from flask import has_request_context, request

    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
