"""API bearer tokens: issued by ``POST /api/v1/tokens``; only the SHA-256 of the secret is stored."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from loanflow.accounts.models import ApiToken, User
from loanflow.extensions import db


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret() -> str:
    return "lf_" + secrets.token_urlsafe(32)


def bearer(secret: str) -> tuple[User, ApiToken] | None:
    """The active user and the live token behind a secret; None when unknown, revoked or deactivated."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token.user, token
