"""API bearer tokens: issued by ``POST /api/v1/tokens``; only the SHA-256 of the secret is stored.

A token lives ``token_hours`` of the policy in force when it was issued (DOMAIN.md: 12 hours), in real
time (``clock.wall_now``: replaying another business date neither ends nor extends it); the policy
feature, above this one, tells it how to read that number (``use_token_lifetime``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from loanflow.accounts.models import ApiToken, User
from loanflow.core import clock
from loanflow.core.domain.policy import DEFAULT_POLICY
from loanflow.core.regions import Branch
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
    secret = new_token_secret()
    token = ApiToken(
        user_id=user.id,
        token_hash=token_digest(secret),
        created_at=clock.now(),
        expires_at=clock.wall_now() + timedelta(hours=hours),
    )
    db.session.add(token)
    return secret, token


# The token, its user, the user's branch and the townships it serves in one statement: scope reads
# the branch's townships on every request, and three lazy loads were three more round trips.
# Built once (with a bound parameter): a request pays no statement construction for it.
_WHO = (
    select(ApiToken)
    .where(ApiToken.token_hash == bindparam("digest"))
    .options(joinedload(ApiToken.user).joinedload(User.branch).joinedload(Branch.townships))
)


def bearer(secret: str) -> tuple[User, ApiToken] | None:
    """The active user and the live token behind a secret; None when unknown, revoked, expired or deactivated."""
    token = db.session.scalars(_WHO, {"digest": token_digest(secret)}).unique().one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is None or clock.wall_now() >= token.expires_at:  # NULL: issued before expiry existed
        return None
    return token.user, token
