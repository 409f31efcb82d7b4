"""Bearer tokens for the API: ``POST /api/v1/tokens`` issues one, only its hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from functools import wraps

from flask import g, request
from sqlalchemy import select

from loanflow.accounts.models import ApiToken
from loanflow.api.errors import problem
from loanflow.extensions import db


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret() -> str:
    return "lf_" + secrets.token_urlsafe(32)


def authenticate():
    """Set ``g.user`` from the bearer token; ``None`` when there is none or it is revoked."""
    g.user = g.token = None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    digest = token_digest(header[7:].strip())
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    g.user, g.token = token.user, token
    return token.user


def login_required(view):
    """401 as problem+json unless a valid bearer token came with the request."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if authenticate() is None:
            resp = problem(401, "Unauthorized", "需要有效的访问令牌 / a valid bearer token is required")
            resp[2]["WWW-Authenticate"] = "Bearer"
            return resp
        return view(*args, **kwargs)

    return wrapper
