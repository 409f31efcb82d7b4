"""Counting the SQL statements a request sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from loanflow.api.schema import checking
from loanflow.extensions import db


@contextmanager
def statements() -> Iterator[list[str]]:
    """The statements sent inside the block, starting from an empty session (as a new request would).

    Responses are dumped once inside, as in production: the suite's check of the compiled dumps
    (``api.schema.checking``) dumps twice, and a case's second dump reads its timeline again."""
    db.session.close()
    was_checking = checking(False)
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        checking(was_checking)


def request_sql(seen: list[str]) -> list[str]:
    """The statements a request sent, without the test's savepoints (and SQLite's BEGIN)."""
    return [s for s in seen if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN"))]
