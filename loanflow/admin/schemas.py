"""What ``/regions`` and ``/branches`` take and show: region nodes (a tree) and branches with their townships."""

from __future__ import annotations

from marshmallow import fields, validate

from loanflow.api.schema import Schema

_CODE = validate.Regexp(r"^(\d{6}|\d{9}|\d{12})$", error="A region code has 6, 9 or 12 digits")
_TOWNSHIP = validate.Regexp(r"^\d{9}$", error="A township code has 9 digits")


class RegionIn(Schema):
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))


class RegionPatch(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    code = fields.String(metadata={"description": "Codes never change: another code than the node's is 409"})


class RegionOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent = fields.String(attribute="parent_code", allow_none=True)


class NodeOut(Schema):
    code = fields.String(attribute="region.code")
    name = fields.String(attribute="region.name")
    level = fields.String(attribute="region.level")
    branch_id = fields.Function(lambda n: n.branch.id if n.branch else None)
    problem = fields.Boolean(metadata={"description": "A township no branch serves"})
    children = fields.List(fields.Nested(lambda: NodeOut()))


class TreeOut(Schema):
    items = fields.List(fields.Nested(NodeOut))


class BranchIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    bank = fields.String(required=True, validate=validate.Length(min=1, max=100))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    townships = fields.List(fields.String(validate=_TOWNSHIP), load_default=list)


class BranchPatch(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    bank = fields.String(validate=validate.Length(min=1, max=100))
    address = fields.String(validate=validate.Length(max=200))
    townships = fields.List(fields.String(validate=_TOWNSHIP))


class BranchOut(Schema):
    id = fields.Integer()
    name = fields.String()
    bank = fields.String()
    address = fields.String()
    townships = fields.List(fields.String(), attribute="township_codes")
    active_officers = fields.Integer()


class BranchesOut(Schema):
    items = fields.List(fields.Nested(BranchOut))
