"""The periodic jobs, all in one place: what the worker runs on its own, and when.

The daily sweep, the audit checkpoint, the documents still owed, the
forgetting of old stored answers, and the dashboard's rollup rebuilt whole.

The worker (``huey_consumer worker.huey``, README "Production") runs these on
its clock; on several workers give only one the periodic jobs (the others get
``--no-periodic``), though each job is also safe to run twice. Times are UTC:
17:05 UTC is 01:05 in Shanghai, after the business day has turned.
"""

from __future__ import annotations

import logging

from loanflow.audit import checkpoints
from loanflow.core import once, uow
from loanflow.core.tasks import crontab, periodic
from loanflow.documents import services as documents
from loanflow.loans.sweep import run_sweep
from loanflow.supervision.dashboard.keeping import rebuild_all

log = logging.getLogger(__name__)


@periodic(crontab(hour="17", minute="5"))
def daily_sweep() -> None:
    """Overdue and cured loans as of the business date (as ``flask loanflow sweep``)."""
    result = run_sweep()  # commits loan by loan
    uow.commit()
    log.info("daily sweep: %s", result.as_dict())


@periodic(crontab(minute="*/10"))
def render_owed_documents() -> None:
    """Every document a committed step still owes (its process died before the render)."""
    stored = documents.render_owed()
    if stored:
        log.info("rendered %s owed documents", stored)


@periodic(crontab(hour="17", minute="20"))
def forget_old_answers() -> None:
    """Stored answers to Idempotency-Keys and form tokens older than a month (no retry comes that late)."""
    gone = once.forget_old_answers()
    uow.commit()
    log.info("forgot %s stored answers", gone)


@periodic(crontab(hour="17", minute="15"))
def audit_checkpoint() -> None:
    """Sign every audit chain's head into the checkpoint log outside the database (at least daily)."""
    made = checkpoints.write_checkpoint()
    log.info("audit checkpoint: %s chains", len(made))


@periodic(crontab(hour="17", minute="35"))
def rebuild_dashboard() -> None:
    """The dashboard's rollup rebuilt whole, every township (a safety net: the rollup is kept current
    by the changes themselves, and nothing in it depends on the date)."""
    count = rebuild_all()
    log.info("dashboard rollup: rebuilt %s townships", count)
