"""What ``GET /audit/verify`` shows (and ``flask loanflow verify-audit`` prints)."""

from __future__ import annotations

from marshmallow import Schema, fields


class BrokenLinkOut(Schema):
    chain = fields.String()
    seq = fields.Integer()
    event_id = fields.Integer(allow_none=True)
    problem = fields.String()


class VerificationOut(Schema):
    """Whether every hash chain is whole; else the first broken link."""

    ok = fields.Boolean()
    chains = fields.Integer()
    events = fields.Integer()
    first_broken_link = fields.Nested(BrokenLinkOut, attribute="broken", allow_none=True)
