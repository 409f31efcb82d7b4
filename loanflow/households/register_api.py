"""/api/v1/households/import and /export: the register as a spreadsheet (xlsx or csv).

``POST /households/import`` takes a multipart upload (``file``) with the form
fields ``dry_run`` (default **true**: a write must be asked for) and
``village_scope`` (default the clerk's region). A dry run answers 200 with the
report (every bad row); a real run answers 201 with the report when it wrote
everything, or 422 problem+json with the same report and nothing written.
A file that is not a spreadsheet is 415; an empty file or a missing header
column is 422 naming the column. A file of more than ``HOUSEHOLD_IMPORT_SYNC_ROWS``
rows answers 202 with the job (``Location: /api/v1/jobs/{id}``): its progress,
then the report as its result (or as ``errors.report`` when refused); 409 while
another import of the county runs.
"""

from __future__ import annotations

import tempfile

from flask import g, json, jsonify, make_response, send_file
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import RAISE, fields, validate
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from loanflow.api.auth import login_required, roles_first
from loanflow.api.errors import service_problem
from loanflow.api.idempotency import idempotent
from loanflow.api.schema import Schema
from loanflow.core import clock
from loanflow.households import register_io as service
from loanflow.households.register_files import FORMATS, MIMETYPES
from loanflow.households.schemas import ImportReportOut
from loanflow.jobs.schemas import JobOut


class _MultipartParser(FlaskParser):
    """The ``files`` location reads a multipart body's files and form fields together, so that one
    schema (and one documented request body) holds the upload and its options."""

    def load_files(self, req, schema):
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)


class _Blueprint(Blueprint):
    ARGUMENTS_PARSER = _MultipartParser()


blp = _Blueprint("register_io", __name__, description="Bulk import and export of the household register")

REGION_CODE = validate.Regexp(
    r"^\d{6}(\d{3}){0,2}$", error="须为 6、9 或 12 位区划代码 / a 6, 9 or 12-digit code"
)


class ImportUpload(Schema):
    file = Upload(required=True)
    dry_run = fields.Boolean(load_default=True, metadata={"description": "true: check only, write nothing"})
    village_scope = fields.String(load_default=None, validate=REGION_CODE)


class ExportArgs(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS))
    village = fields.String(load_default=None, validate=REGION_CODE)


BINARY = {"type": "string", "format": "binary"}


def _refused(error: service.ImportRefused):
    """422 problem+json whose ``report`` lists every bad row, like a dry run's."""
    body, status, headers = service_problem(error)
    data = json.loads(body)
    data["report"] = ImportReportOut().dump(error.report)
    return make_response(json.dumps(data, ensure_ascii=False), status, headers)


@blp.route("/households/import", methods=["POST"])
@login_required
@idempotent
@roles_first("clerk")
@blp.arguments(ImportUpload, location="files", unknown=RAISE)
@blp.response(200, ImportReportOut, description="A dry run: what the file holds and every bad row")
@blp.alt_response(201, schema=ImportReportOut, success=True, description="Every row written")
@blp.alt_response(202, schema=JobOut, success=True, description="A big file: imported by a background job")
def import_households(form):
    """Check (dry run, the default) or import a register spreadsheet: all rows or none."""
    upload = form["file"]
    data, name = upload.read(), upload.filename or "upload"
    options = {"village_scope": form["village_scope"], "dry_run": form["dry_run"]}
    sized = service.small_file(data)
    if sized.in_background:
        job = service.start_import(g.user, data, name, **options)
        response = jsonify(JobOut().dump(job))
        response.status_code, response.headers["Location"] = 202, f"/api/v1/jobs/{job.id}"
        return response
    try:
        report = service.import_households(g.user, data, name, **options, rows=sized.rows)
    except service.ImportRefused as error:
        return _refused(error)
    return report, 200 if report.dry_run else 201


@blp.route("/households/export", methods=["GET"])
@login_required
@blp.arguments(ExportArgs, location="query")
@blp.response(200, BINARY, content_type=MIMETYPES["xlsx"], description="The register as a workbook")
@blp.alt_response(200, schema=BINARY, content_type="text/csv", success=True, description="As CSV")
def export_households(args):
    """The households you may see as xlsx or csv, in the import layout (IDs masked for some roles)."""
    out = tempfile.TemporaryFile()
    result = service.export_households(g.user, out, args["format"], args["village"])
    out.seek(0)
    name = f"households-{clock.today():%Y%m%d}.{result.format}"
    response = send_file(out, mimetype=MIMETYPES[result.format], as_attachment=True, download_name=name)
    response.headers["X-Households"], response.headers["X-Members"] = (
        str(result.households),
        str(result.members),
    )
    return response
