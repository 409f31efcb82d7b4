"""Background jobs (后台任务): long work (a whole register's import) with its progress and result.

A job row is what a client polls (``GET /api/v1/jobs/{id}``); the work runs in
the task queue's worker (``core.tasks``). A feature starts a job with
``services.start`` and declares the task that does its work.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables and ``/jobs/{id}``."""
    from loanflow.api import register_api
    from loanflow.jobs import api, models  # noqa: F401  (models: tables)

    register_api(app, api.blp)
