"""What the policy API takes and shows: a version of the policy document, whole."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

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
    note = fields.String(allow_none=True)


class PolicyVersionsOut(Schema):
    """Every published version, oldest first."""

    items = fields.List(fields.Nested(PolicyVersionOut))
