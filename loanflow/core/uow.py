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
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

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


class _Plan:
    """A Core SELECT as ``fetch`` sends it: its SQL for one dialect, its binds in the driver's order
    (None: by name), their type's conversions, and its columns' (known after the first rows: the
    position and conversion of each column that has one)."""

    def __init__(self, stmt: Any, dialect: Any):
        # The statement's binds all have values (``bindparam(name, "")``): rendering its literal
        # parameters (an aggregate's separator) into the SQL needs them, and the string keeps
        # the binds as placeholders.
        compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        self.sql = compiled.string
        self.order = list(compiled.positiontup) if compiled.positional else None
        self.binds = {
            name: conv
            for name, bind in compiled.binds.items()
            if (conv := bind.type._cached_bind_processor(dialect)) is not None
        }
        self.types = [c.type for c in stmt.selected_columns]
        self.columns: list[tuple[int, Any]] | None = None


_PLANS: dict[tuple[Any, str], _Plan] = {}


def fetch(stmt: Any, params: dict[str, Any]) -> list[tuple]:
    """The rows of a Core SELECT built once (its binds given values), sent by the driver itself on the
    session's connection, in its transaction; each value converted by its column's type as SQLAlchemy's
    result would (rows as plain tuples).

    For the statements every request sends (who acts, a case's timeline): SQLAlchemy's execution and
    result layers cost ~0.1 ms a statement above the driver's own (issue 14). The statement is still
    SQLAlchemy's, compiled by it for the dialect once per process; the engine's cursor events see it
    as they see their own (the suite counts statements with them). A driver error sends the statement
    again the ordinary way, so that SQLAlchemy reports it (a lost connection: the pool starts afresh; on
    PostgreSQL a refused statement is then reported as the aborted transaction it left).
    """
    session = db.session()
    if session.autoflush:
        session.flush()
    conn = session.connection()
    dialect = conn.dialect
    plan = _PLANS.get((stmt, dialect.name))
    if plan is None:
        plan = _PLANS[(stmt, dialect.name)] = _Plan(stmt, dialect)
    values = {k: (plan.binds[k](v) if k in plan.binds else v) for k, v in params.items()}
    args: Any = values if plan.order is None else tuple(values[k] for k in plan.order)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        conn.dispatch.before_cursor_execute(conn, cursor, plan.sql, args, None, False)
        cursor.execute(plan.sql, args)
        conn.dispatch.after_cursor_execute(conn, cursor, plan.sql, args, None, False)
        rows = cursor.fetchall()
        if plan.columns is None:
            processors = (
                t._cached_result_processor(dialect, d[1])
                for t, d in zip(plan.types, cursor.description, strict=True)
            )
            plan.columns = [(i, p) for i, p in enumerate(processors) if p is not None]
    except dialect.loaded_dbapi.Error:
        return [tuple(row) for row in conn.execute(stmt, params)]
    finally:
        cursor.close()
    if not plan.columns:
        return [tuple(row) for row in rows]
    out = []
    for row in rows:
        values = list(row)
        for i, convert in plan.columns:
            values[i] = convert(values[i])
        out.append(tuple(values))
    return out


def table_columns(model: type) -> tuple[list[Any], list[str]]:
    """A model's table columns, to select for ``fetch``, and the attribute each maps to, for ``loaded``."""
    mapper = model.__mapper__
    columns = list(mapper.local_table.columns)
    return columns, [mapper.get_property_by_column(c).key for c in columns]


def loaded(model: type[T], values: dict[str, Any]) -> T:
    """The session's ``model`` object for a row read without the ORM (``fetch``), as if the ORM had
    loaded it: the object the session holds under that key (its expired attributes set from the row),
    else a new one, persistent in the session, with the row's values as its committed state and what
    the row lacks (its relationships) loaded when first read.

    For plain mapped tables: what the ORM also does at a load (eager relationships, ``load`` events,
    ``reconstructor`` methods, polymorphic classes) is not done here; the models read this way (the
    user, the loan, the subsidy case) have none."""
    session = db.session()
    mapper = model.__mapper__
    key = mapper.identity_key_from_primary_key([values[c.key] for c in mapper.primary_key])
    held = session.identity_map.get(key)
    if held is not None:
        for name in sa_inspect(held).expired_attributes & values.keys():
            set_committed_value(held, name, values[name])
        return held
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def read(stmt: Any, params: dict[str, Any] | None = None) -> Any:
    """Run a Core statement (columns, no ORM entities) on the session's connection, in its
    transaction, after the flush the session's own ``execute`` would make first. The ORM's execution
    path adds ~0.1 ms a statement that a statement without entities does not need (issue 14)."""
    session = db.session
    if session.autoflush:
        session.flush()
    return session.connection().execute(stmt, params)


_BY_ID: dict[type, tuple[Any, list[str]]] = {}


def get(model: type[T], ident: Any) -> T | None:
    """``Session.get`` for a model with a one-column primary key, its row read by ``fetch``.

    ``Session.get`` builds its SELECT and that SELECT's cache key at every call (60 µs of a loan
    detail's Python), and the ORM's execution and loading another ~0.1 ms over the same row read by
    the driver (issue 14). An object the session holds already is taken as ``get`` takes it (not read
    again unless expired); otherwise its columns are read in one SELECT and the object is made the
    session's as the ORM makes a loaded one (``loaded``).
    """
    session = db.session
    if model.__mapper__.identity_key_from_primary_key((ident,)) in session.identity_map:
        return session.get(model, ident)
    by_id = _BY_ID.get(model)
    if by_id is None:
        (key,) = model.__mapper__.primary_key
        columns, keys = table_columns(model)
        by_id = _BY_ID[model] = (select(*columns).where(key == bindparam("ident", 0)), keys)
    stmt, keys = by_id
    rows = fetch(stmt, {"ident": ident})
    return loaded(model, dict(zip(keys, rows[0], strict=True))) if rows else None


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
