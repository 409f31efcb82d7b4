"""The register in the pages: import a spreadsheet (dry run first, every bad cell; then the import,
in the background for a big file, with its progress), and export any household list.

The same services as ``/api/v1/households/import`` and ``/export`` (``register_io``) and the same
jobs (``jobs.services``); the progress is polled by ``static/job-progress.js``, and without
JavaScript the page has a plain refresh link.
"""

from __future__ import annotations

import io
import tempfile

from flask import flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from loanflow.core import clock
from loanflow.core.errors import Invalid, msg
from loanflow.households import register_io
from loanflow.households import services as service
from loanflow.households.register_files import MIMETYPES
from loanflow.households.register_marked import drop_upload, keep_upload, kept_upload, write_marked
from loanflow.households.views import case_hits
from loanflow.jobs import services as jobs
from loanflow.web.blueprint import bp
from loanflow.web.forms import refused


def _page(
    report: dict | None = None, token: str = "", name: str = "", errors: dict | None = None, status=200
):
    page = render_template(
        "households/import.html", report=report, token=token, name=name, errors=errors or {}
    )
    return page, status


@bp.route("/households/import", methods=["GET", "POST"])
@login_required
def import_register():
    """Upload a register file: a dry run (nothing written) that lists every bad cell."""
    service.may_register(current_user)
    if request.method == "GET":
        return _page()
    upload = request.files.get("file")
    data, name = (upload.read(), upload.filename or "upload") if upload else (b"", "")
    try:
        if not data:
            raise Invalid({"file": [msg("请选择要导入的文件", "Choose a file to import")]})
        sized = register_io.small_file(data)
        if sized.in_background:
            job = register_io.start_import(current_user, data, name, dry_run=True)
            token = keep_upload(current_user.id, data)
            return redirect(url_for("web.import_job", job_id=job.id, token=token))
        report = register_io.import_households(current_user, data, name, dry_run=True, rows=sized.rows)
    except Invalid as e:
        return _page(name=name, errors=refused(e), status=e.status)
    token = keep_upload(current_user.id, data)
    return _page(register_io.report_json(report), token, name)


@bp.route("/households/import/<token>", methods=["POST"])
@login_required
def run_import(token: str):
    """Import the checked file: all rows or none; a big file goes to a background job."""
    service.may_register(current_user)
    data, name = kept_upload(current_user.id, token), request.form.get("name") or "upload"
    sized = register_io.small_file(data)
    if sized.in_background:
        job = register_io.start_import(current_user, data, name, dry_run=False)
        return redirect(url_for("web.import_job", job_id=job.id, token=token))
    try:
        report = register_io.import_households(current_user, data, name, dry_run=False, rows=sized.rows)
    except register_io.ImportRefused as e:
        return _page(register_io.report_json(e.report), token, name, status=422)
    drop_upload(current_user.id, token)
    flash(_("%(n)s households imported.", n=report.households), "ok")
    return redirect(url_for("web.households"))


@bp.route("/households/import/jobs/<int:job_id>")
@login_required
def import_job(job_id: int):
    """A background import: its progress while it runs, then its report (or the import button)."""
    job = jobs.get_job(current_user, job_id)
    token = request.args.get("token", "")
    report = job.result or (job.errors or {}).get("report")
    if job.state == "done" and not job.params.get("dry_run") and token:
        drop_upload(current_user.id, token)
    return render_template("households/import_job.html", job=job, report=report, token=token)


@bp.route("/households/import/jobs/<int:job_id>/progress")
@login_required
def import_job_progress(job_id: int):
    """What ``job-progress.js`` polls: the job's state and count (the page session, not a bearer token)."""
    job = jobs.get_job(current_user, job_id)
    return jsonify(state=job.state, done=job.done, total=job.total)


@bp.route("/households/import/<token>/marked.xlsx")
@login_required
def marked_sheet(token: str):
    """The checked file as xlsx, each bad cell filled red with its reason."""
    service.may_register(current_user)
    data = kept_upload(current_user.id, token)
    parsed, _fmt, _scope = register_io.check_file(current_user, data)
    out = io.BytesIO()
    write_marked(data, parsed.errors, out)
    out.seek(0)
    return send_file(out, mimetype=MIMETYPES["xlsx"], as_attachment=True, download_name="import-check.xlsx")


@bp.route("/households/export")
@login_required
def export_list():
    """The household list as shown (the same search and village), as xlsx or csv, in the import layout."""
    q, village = request.args.get("q", "").strip(), request.args.get("village", "").strip()
    fmt = request.args.get("format", "xlsx")
    out = tempfile.TemporaryFile()
    ids = [hit[1] for hit in case_hits(q)]
    result = register_io.export_households(
        current_user, out, fmt, village if village.isdigit() else None, q=q or None, household_ids=ids
    )
    out.seek(0)
    name = f"households-{clock.today():%Y%m%d}.{result.format}"
    return send_file(out, mimetype=MIMETYPES[result.format], as_attachment=True, download_name=name)
