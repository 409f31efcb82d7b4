"""What ``POST /tokens`` takes and shows: a username and password in, a bearer token and its user out."""

from __future__ import annotations

from marshmallow import fields

from loanflow.api.schema import Schema


class TokenRequest(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True)


class TokenUserOut(Schema):
    username = fields.String()
    role = fields.String()
    region = fields.String(attribute="region_code")


class TokenResponse(Schema):
    """The token, shown once (only its SHA-256 is stored), and whom it speaks for."""

    token = fields.String()
    user = fields.Nested(TokenUserOut)
    expires_at = fields.DateTime()
