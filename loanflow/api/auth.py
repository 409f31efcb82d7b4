"""Bearer tokens on the API: `login_required` answers 401 as problem+json; the accounts feature resolves secrets."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request

from loanflow.api.errors import problem

BEARER = "loanflow.api.bearer"  # app.extensions key: secret → (user, token) or None, set by accounts


def use_bearer(app, resolve: Callable[[str], tuple[Any, Any] | None]) -> None:
    """The accounts feature tells the API how a bearer secret resolves (the API knows no token table)."""
    app.extensions[BEARER] = resolve


def authenticate():
    """Set ``g.user`` from the bearer token; ``None`` when there is none or it is revoked."""
    g.user = g.token = None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    found = current_app.extensions[BEARER](header[7:].strip())
    if found is None:
        return None
    g.user, g.token = found
    return g.user


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
