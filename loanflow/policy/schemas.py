"""What the policy API takes and shows: a version of the policy document, whole."""

from __future__ import annotations

from marshmallow import fields, validate

from loanflow.api.schema import Schema

_SECTION = {"description": "A section of the policy document, as published"}


class PolicyIn(Schema):
    """A new version: the whole document (GET /policy's shape without ``version``) and why it was published."""

    document = fields.Dict(
        required=True,
        metadata={
            "description": "The whole policy: sections loan, subsidy and deadlines, as GET /policy shows"
        },
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))
    effective_on = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "In force from this day (none: at once)"}
    )


class PolicyOut(Schema):
    """One version of the policy: its number and every section of its document."""

    version = fields.Integer()
    four_eyes = fields.Boolean(attribute="document.four_eyes")
    token_hours = fields.Integer(
        attribute="token_hours", metadata={"description": "A bearer token's lifetime"}
    )
    loan = fields.Dict(attribute="document.loan", metadata=_SECTION)
    subsidy = fields.Dict(attribute="document.subsidy", metadata=_SECTION)
    deadlines = fields.Dict(attribute="document.deadlines", metadata=_SECTION)


class PolicyVersionOut(Schema):
    version = fields.Integer()
    published_at = fields.DateTime()
    published_by = fields.Function(lambda v: v.published_by.username if v.published_by else None)
    effective_on = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)


class PolicyVersionsOut(Schema):
    """Every published version, oldest first."""

    items = fields.List(fields.Nested(PolicyVersionOut))


class ChangeOut(Schema):
    path = fields.String(
        metadata={"description": "The parameter, as the policy check names it (loan.rates[2].rate)"}
    )
    kind = fields.String(metadata={"enum": ["changed", "added", "removed"]})
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class PolicyDiffOut(Schema):
    """What changed from version ``a`` to version ``b``, parameter by parameter."""

    a = fields.Nested(PolicyVersionOut)
    b = fields.Nested(PolicyVersionOut)
    changes = fields.List(fields.Nested(ChangeOut))
