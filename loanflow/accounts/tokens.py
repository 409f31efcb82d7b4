"""API bearer tokens: issued by ``POST /api/v1/tokens``; only the SHA-256 of the secret is stored.

A token lives ``token_hours`` of the policy in force when it was issued (DOMAIN.md: 12 hours), in real
time (``clock.wall_now``: replaying another business date neither ends nor extends it); the policy
feature, above this one, tells it how to read that number (``use_token_lifetime``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import bindparam, func, select

from loanflow.accounts.models import ApiToken, User
from loanflow.core import clock, uow
from loanflow.core.domain.policy import DEFAULT_POLICY
from loanflow.core.regions import BranchTownship
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


# The token, its user and the townships of the user's branch in one statement: scope reads the
# townships on every request. Loading the token, the branch and its townships as entities too (a
# joinedload chain, made unique) cost 0.2 ms of Python a request; the user as the ORM's entity another
# 0.15 ms over the same row read by the driver (``uow.fetch``) and made the session's object
# (``uow.loaded``). Built once: a request pays no statement construction for it.
_TOWNS = (
    select(func.aggregate_strings(BranchTownship.township_code, ","))
    .where(BranchTownship.branch_id == User.branch_id)
    .scalar_subquery()
)
_USER_COLUMNS, _USER_KEYS = uow.table_columns(User)
_WHO = (
    select(*_USER_COLUMNS, ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, _TOWNS)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest", ""))
)


@dataclass(frozen=True)
class LiveToken:
    """The token a request came with: its row's id (``row()`` loads it, to revoke it)."""

    id: int

    def row(self) -> ApiToken:
        return db.session.get(ApiToken, self.id)


def bearer(secret: str) -> tuple[User, LiveToken] | None:
    """The active user and the live token behind a secret; None when unknown, revoked, expired or
    deactivated. The user carries the townships its branch serves (``User.township_codes``)."""
    rows = uow.fetch(_WHO, {"digest": token_digest(secret)})
    if not rows:
        return None
    (row,) = rows
    columns = dict(zip(_USER_KEYS, row, strict=False))
    token_id, revoked_at, expires_at, towns = row[len(_USER_KEYS) :]
    if revoked_at is not None or not columns["active"]:
        return None
    if expires_at is None or clock.wall_now() >= expires_at:  # NULL: issued before expiry existed
        return None
    user = uow.loaded(User, columns)
    user.know_township_codes(sorted(towns.split(",")) if towns else [])
    return user, LiveToken(token_id)
