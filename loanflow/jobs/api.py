"""/api/v1/jobs/{id}: follow a background job (progress, result, errors)."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from loanflow.api.auth import login_required
from loanflow.jobs import services as service
from loanflow.jobs.schemas import JobOut

blp = Blueprint("jobs", __name__, description="Background jobs (后台任务)")


@blp.route("/jobs/<int:job_id>")
@login_required
@blp.response(200, JobOut)
def get_job(job_id: int):
    """Where a job stands: ``queued``, ``running`` (``done`` of ``total`` rows), ``done`` (``result``) or ``failed`` (``errors``)."""
    return service.get_job(g.user, job_id)
