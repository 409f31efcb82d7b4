"""What ``GET /jobs/{id}`` shows."""

from marshmallow import fields

from loanflow.api.schema import Schema
from loanflow.jobs.models import JOB_STATES


class JobOut(Schema):
    """A background job: where it stands, how far it got, its result or its errors."""

    id = fields.Integer()
    kind = fields.String()
    state = fields.String(metadata={"enum": list(JOB_STATES)})
    done = fields.Integer(metadata={"description": "rows handled so far"})
    total = fields.Integer(allow_none=True, metadata={"description": "rows in all, once counted"})
    result = fields.Dict(allow_none=True)
    errors = fields.Dict(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda job: f"/api/v1/jobs/{job.id}")
