"""Background work: the task queue (huey), SQLite by default, Redis by configuration.

huey is a maintained task queue whose SQLite storage needs no server: ``make
run`` starts its consumer beside the web server on the same machine, and
production points ``LOANFLOW_QUEUE_URL`` at Redis so that every node enqueues
into one queue (README, "Production"). Tests run it in immediate mode (a task
runs where it is enqueued).

The features declare their tasks with ``task`` and the periodic jobs with
``periodic``; each runs inside an app context of the app that configured the
queue (the consumer builds it from ``worker.py``). A task is enqueued once the
request's unit of work has committed (``enqueue_after_commit``), so the worker
never looks for a row that is not there yet.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage

from loanflow.core import uow
from loanflow.extensions import db

__all__ = ["crontab", "enqueue_after_commit", "huey", "init_app", "periodic", "task"]

# Immediate (in memory) until an app configures it: importing the code enqueues nothing anywhere.
huey = Huey("loanflow", immediate=True, results=False)  # results live on the job rows
_apps: list[Flask] = []


def configure(app: Flask) -> None:
    """Point the queue at the app's storage: Redis when ``LOANFLOW_QUEUE_URL`` is set, else SQLite."""
    url = app.config.get("LOANFLOW_QUEUE_URL")
    if url:
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": url}
    else:
        path = app.config.get("LOANFLOW_QUEUE_FILE") or os.path.join(app.instance_path, "queue.db")
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": path}
    huey.immediate = bool(app.config.get("LOANFLOW_QUEUE_IMMEDIATE"))
    huey.storage = huey.create_storage()


def init_app(app: Flask) -> None:
    """The app whose context the tasks run in (the last one configured), and its queue storage."""
    _apps[:] = [app]
    configure(app)


def _in_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():  # immediate mode: where it was enqueued
            return fn(*args, **kwargs)
        with _apps[0].app_context():
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()

    return run


def task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a background task (``fn.schedule``/``fn(...)`` enqueue it; huey's options pass through)."""

    def declare(fn: Callable[..., Any]) -> Any:
        return huey.task(**options)(_in_app(fn))

    return declare


def periodic(schedule: Callable[..., bool]) -> Callable[[Callable[..., Any]], Any]:
    """Declare a periodic job (``crontab(...)`` in UTC: 01:05 in Shanghai is ``crontab(hour=17, minute=5)``)."""

    def declare(fn: Callable[..., Any]) -> Any:
        return huey.periodic_task(schedule)(_in_app(fn))

    return declare


def enqueue_after_commit(declared: Any, *args: Any) -> None:
    """Enqueue ``declared(*args)`` once the current unit of work has committed (dropped on rollback)."""
    uow.after_commit(_enqueue, declared, args)


def _enqueue(declared: Any, args: tuple[Any, ...]) -> None:
    declared(*args)
    if huey.immediate:
        current_app.logger.debug("ran %s%r at once (immediate mode)", declared.name, args)
