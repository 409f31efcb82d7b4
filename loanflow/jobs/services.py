"""Starting, running and showing background jobs.

``start`` adds the job row in the caller's unit of work and enqueues its task
once that commits; a second active job of the same kind and lock key (one
import per county at a time) is a 409. ``run`` is what a task calls: it takes
the job (queued → running, once, so a task delivered twice runs once), hands
the work a ``progress`` callback that commits the count as it goes, and stores
the result or the errors. A job whose worker died is failed after
``STALE_AFTER`` so that it no longer blocks its county.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, update
from sqlalchemy.exc import IntegrityError

from loanflow.core import clock, tasks, uow
from loanflow.core.errors import Conflict, NotFound, ServiceError, msg, text
from loanflow.core.scope import in_region
from loanflow.extensions import db
from loanflow.jobs.models import Job

STALE_AFTER = timedelta(hours=1)

Progress = Callable[[int, int | None], None]


def start(
    actor: Any,
    kind: str,
    *,
    lock_key: str,
    region_code: str,
    work: Any,
    payload: bytes | None = None,
    payload_name: str = "",
    params: dict | None = None,
) -> Job:
    """Add a queued job and enqueue ``work(job_id)`` after the commit; 409 while one is active."""
    _fail_stale(kind, lock_key)
    job = Job(
        kind=kind,
        lock_key=lock_key,
        region_code=region_code,
        state="queued",
        done=0,
        params=params or {},
        payload=payload,
        payload_name=payload_name[:200],
        created_by_id=actor.id,
        created_at=clock.wall_now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        raise Conflict(
            msg(
                f"{lock_key} 已有一项导入正在进行，请待其完成后再导入",
                f"An import for {lock_key} is already running; wait for it to finish",
            )
        ) from None
    tasks.enqueue_after_commit(work, job.id)
    uow.flush()
    return job


def _fail_stale(kind: str, lock_key: str) -> None:
    """Fail the county's job that nothing works on any more (real time: a job lasts in real time)."""
    cutoff = clock.wall_now() - STALE_AFTER
    db.session.execute(
        update(Job)
        .where(
            Job.kind == kind,
            Job.lock_key == lock_key,
            or_(
                and_(Job.state == "running", Job.started_at < cutoff),
                # never handed to the worker: the process died between the commit and the enqueue
                and_(Job.state == "queued", Job.created_at < cutoff),
            ),
        )
        .values(state="failed", finished_at=clock.wall_now(), errors={"detail": "worker stopped / 处理中断"})
    )


def get_job(actor: Any, job_id: int) -> Job:
    """A job its starter or anyone who sees its region may follow (an admin sees no register work); else 404."""
    job = db.session.get(Job, job_id)
    sees = actor.role != "admin" and in_region(actor, job.region_code) if job is not None else False
    if job is None or not (job.created_by_id == actor.id or sees):
        raise NotFound(msg(f"任务 {job_id} 不存在", f"Job {job_id} not found"))
    return job


def run(job_id: int, work: Callable[[Job, Progress], dict]) -> None:
    """Run a job's work once: its result on success, its errors on a refusal or a failure."""
    taken = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "queued")
        .values(state="running", started_at=clock.wall_now())
    )
    uow.commit()
    if taken.rowcount != 1:
        return  # delivered twice, or cancelled: someone else has it
    job = db.session.get(Job, job_id)

    def progress(done: int, total: int | None = None) -> None:
        db.session.execute(update(Job).where(Job.id == job_id).values(done=done, total=total))

    try:
        result = work(job, progress)
    except ServiceError as error:
        db.session.rollback()
        _finish(job_id, "failed", errors=_problem(error))
        return
    except Exception:
        db.session.rollback()
        current_app.logger.exception("job %s failed", job_id)
        _finish(job_id, "failed", errors={"detail": "服务器内部错误 / an internal error"})
        return
    _finish(job_id, "done", result=result)


def _problem(error: ServiceError) -> dict:
    body: dict[str, Any] = {"status": error.status, "detail": text(error.message, "zh")}
    errors = getattr(error, "errors", None)
    if errors:
        body["errors"] = {f: [text(m, "zh") for m in ms] for f, ms in errors.items()}
    report = getattr(error, "report_json", None)
    if report is not None:
        body["report"] = report
    return body


def _finish(job_id: int, state: str, *, result: dict | None = None, errors: dict | None = None) -> None:
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            state=state,
            result=result,
            errors=errors,
            payload=None,
            total=func.coalesce(Job.total, Job.done) if state == "done" else Job.total,
            finished_at=clock.wall_now(),
        )
    )
    uow.commit()
