"""API bearer tokens: issued by ``POST /api/v1/tokens``; only the SHA-256 of the secret is stored.

A token lives ``token_hours`` of the policy in force when it was issued (DOMAIN.md: 12 hours); the
policy feature, above this one, tells it how to read that number (``use_token_lifetime``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import select

from loanflow.accounts.models import ApiToken, User
from loanflow.core import clock
from loanflow.core.domain.policy import DEFAULT_POLICY
from loanflow.extensions import db

TOKEN_LIFETIME = "loanflow.accounts.token_hours"  # app.extensions: () → hours, set by the policy feature


def use_token_lifetime(app: Flask, hours: Callable[[], int]) -> None:
    app.extensions[TOKEN_LIFETIME] = hours


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret() -> str:
    return "lf_" + secrets.token_urlsafe(32)


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new secret for ``user`` and its stored row (the hash, when it was issued, when it expires)."""
    hours = current_app.extensions.get(TOKEN_LIFETIME, lambda: DEFAULT_POLICY["token_hours"])()
    now = clock.now()
    secret = new_token_secret()
    token = ApiToken(
        user_id=user.id,
        token_hash=token_digest(secret),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(token)
    return secret, token


def bearer(secret: str) -> tuple[User, ApiToken] | None:
    """The active user and the live token behind a secret; None when unknown, revoked, expired or deactivated."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    expires_at = token.expires_at or token.created_at + timedelta(hours=DEFAULT_POLICY["token_hours"])
    if clock.now() >= expires_at:
        return None
    return token.user, token
