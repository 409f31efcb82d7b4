"""The unit of work (工作单元): one commit per request or command, then the work due after it.

A service changes, flushes and returns; it never commits. Whoever called it —
the request (``init_app`` commits a successful response), a command, the demo
builder, a test — commits once through ``commit()``. Work that must wait for
the commit (the documents due at a step: a render takes 100–250 ms and must
never hold the database's write lock) is queued with ``after_commit`` and runs
after the commit, in order, each in its own short transaction: one that fails
is logged, never undoes the committed action and never stops the others.

Any rollback of the session's outer transaction drops the queued work — also
the ones this module does not make (the API's error handlers, the engine's
lost race) — so that work queued for an action that did not happen never runs.
The queue lives in the session's ``info``, which Flask-SQLAlchemy scopes to the
app context like the session itself.

The answer to a request under a key (an ``Idempotency-Key``, a page form's
one-time token; ``core.once``) is written in the same commit as its effect.

After cosmicpython's ``service_layer/unit_of_work.py``, fitted to the scoped
session: there is no object to pass around, the session is the unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, has_app_context, has_request_context
from sqlalchemy import bindparam, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from loanflow.core import once
from loanflow.extensions import db

_QUEUE = "loanflow.after_commit"
T = TypeVar("T")


def after_commit(fn: Callable[..., Any], *args: Any) -> None:
    """Queue ``fn(*args)`` to run once the current unit of work has committed (dropped on rollback)."""
    db.session.info.setdefault(_QUEUE, []).append((fn, args))


_WRITTEN = "loanflow.written_as_stored"
_KEPT: set[type] = set()


def keep_loaded(*classes: type) -> None:
    """Rows of these classes stay loaded across ``flush()``: who acts (the user, the token, the branch
    and its townships), which no service writes with a bare UPDATE in the unit of work that reads them."""
    _KEPT.update(classes)


def written_as_stored(obj: Any) -> None:
    """``obj``'s loaded state is what was just written (a guarded UPDATE whose values were set on it):
    the next ``flush()`` need not read it back. Changed afterwards through the ORM, it is expired again."""
    db.session.info.setdefault(_WRITTEN, set()).add(id(obj))


_MEMO = "loanflow.request_memo"


def memo(key: Hashable, table: str, read: Callable[[], T]) -> T:
    """``read()`` once per request until the unit of work writes ``table``: the policy in force, the
    calendar, a loan's repayments are each read by several checks of one request (issue 14: twice or
    three times). A flush, commit or rollback forgets everything; an INSERT, UPDATE or DELETE of
    ``table`` sent directly (a guarded UPDATE, ``insert().returning()``) forgets what read it.
    Outside a request nothing is kept."""
    if not has_request_context():
        return read()
    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()  # what the query would have done first (autoflush); the flush forgets the memo
    kept = session.info.setdefault(_MEMO, {})
    if key not in kept:
        kept[key] = (table, read())
        _watch_writes(session.connection())
    return kept[key][1]


def _watch_writes(conn: Any) -> None:
    """Listen for the direct writes of the transaction that holds a memo, on its connection only.

    A listener on every engine cost each statement of every request SQLAlchemy's event dispatch, and
    most requests keep no memo (issue 14). Every memo is forgotten when its transaction ends (a
    commit or rollback), so the connection that holds it is the one whose writes matter."""
    if not event.contains(conn, "after_cursor_execute", _forget_written):
        event.listen(conn, "after_cursor_execute", _forget_written)


def forget_memo(*_args: Any) -> None:
    if has_app_context():
        db.session.info.pop(_MEMO, None)


def _forget_written(conn, cursor, statement, parameters, context, executemany) -> None:
    """After a write sent to the database, forget what this request read from the table it wrote."""
    if context is None or not (context.isinsert or context.isupdate or context.isdelete):
        return
    if not has_request_context():
        return
    kept = db.session.info.get(_MEMO)
    if not kept:
        return
    table = getattr(getattr(context.compiled, "statement", None), "table", None)
    name = getattr(table, "name", None)
    for key in [k for k, (t, _) in kept.items() if name is None or t == name]:
        del kept[key]


def flush() -> None:
    """Where a service ends: write its changes, uncommitted; loaded objects read back as stored.

    Expiring them keeps what a caller sees the same as after the commit services
    used to make: the returned case shows its stored values (types applied),
    read from the same transaction. Two kinds are not expired, because reading
    them back cost statements and changed nothing (issue 14: a transition reloaded
    the user, branch, townships and case just to answer): the rows of
    ``keep_loaded`` classes that were not changed through the ORM, and a case
    the workflow engine just wrote with its guarded UPDATE (``written_as_stored``).
    """
    session = db.session
    changed = {id(o) for o in (*session.new, *session.dirty)}
    fresh = session.info.pop(_WRITTEN, set()) - changed
    session.flush()
    for obj in list(session.identity_map.values()):
        if id(obj) in changed or not (id(obj) in fresh or type(obj) in _KEPT):
            session.expire(obj)


def read(stmt: Any, params: dict[str, Any] | None = None) -> Any:
    """Run a Core statement (columns, no ORM entities) on the session's connection, in its
    transaction, after the flush the session's own ``execute`` would make first. The ORM's execution
    path adds ~0.1 ms a statement that a statement without entities does not need (issue 14)."""
    session = db.session
    if session.autoflush:
        session.flush()
    return session.connection().execute(stmt, params)


_BY_ID: dict[type, Any] = {}


def get(model: type[T], ident: Any) -> T | None:
    """``Session.get`` for a model with a one-column primary key, its SELECT built once per model.

    ``Session.get`` builds its SELECT and that SELECT's cache key at every call: 60 µs of a loan
    detail's Python (issue 14). An object the session holds already is taken as ``get`` takes it
    (not read again unless expired); otherwise the one SELECT runs with the id bound.
    """
    session = db.session
    if model.__mapper__.identity_key_from_primary_key((ident,)) in session.identity_map:
        return session.get(model, ident)
    stmt = _BY_ID.get(model)
    if stmt is None:
        (key,) = model.__mapper__.primary_key
        stmt = _BY_ID[model] = select(model).where(key == bindparam("ident"))
    return session.scalars(stmt, {"ident": ident}).one_or_none()


def commit() -> None:
    """Flush and commit the unit of work, then run the work queued for after the commit."""
    db.session.commit()
    _run_after_commit()


def rollback() -> None:
    """Undo the unit of work and drop the work queued for after its commit."""
    db.session.rollback()
    db.session.info.pop(_QUEUE, None)


def pending() -> int:
    """How many callbacks wait for the commit (for tests and logs)."""
    return len(db.session.info.get(_QUEUE, ()))


def _run_after_commit() -> None:
    # Taken off the queue before running: a callback's own rollback or commit must not re-run it.
    while queue := db.session.info.pop(_QUEUE, None):
        for fn, args in queue:
            try:
                fn(*args)
                db.session.commit()
            except Exception:
                db.session.rollback()
                current_app.logger.exception("after-commit work %s%r failed", _name(fn), args)


def _name(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _drop_queue_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the outer transaction, not a savepoint
        session.info.pop(_QUEUE, None)


def _commit_successful_response(response: Response) -> Response:
    """A request's work commits once when its answer is a success; any error answer writes nothing.

    A request under a key (``core.once``) stores its answer in the same commit as
    its effect. Should another attempt under the key have committed first (its
    lock was lost), the primary key refuses the second answer: this attempt's
    effect is undone and the first answer is replayed.
    """
    if response.status_code >= 400:
        once.forget()
        rollback()
        return response
    waiting = once.pending()
    once.record(response)
    try:
        db.session.commit()
    except IntegrityError:
        if waiting is None:
            raise
        rollback()
        first = once.stored(waiting.user_id, waiting.key)
        if first is None:
            raise
        return once.replay(first)
    _run_after_commit()
    return response


def _forget_key(_error: BaseException | None = None) -> None:
    once.forget()


def init_app(app: Flask) -> None:
    """Commit each successful request once (API and pages alike); roll back every error answer.

    ``after_request`` also sees the answers of the error handlers (a ServiceError's
    4xx, the 500 of an unexpected error) and the 4xx a view returns itself (a form
    with errors), so a refused request never writes; a view needs no decorator.
    """
    if not event.contains(Session, "after_soft_rollback", _drop_queue_on_rollback):
        event.listen(Session, "after_soft_rollback", _drop_queue_on_rollback)
    for name in ("after_flush", "after_commit", "after_soft_rollback"):
        if not event.contains(Session, name, forget_memo):
            event.listen(Session, name, forget_memo)
    app.after_request(_commit_successful_response)
    app.teardown_request(forget_memo)
    app.teardown_request(_forget_key)
