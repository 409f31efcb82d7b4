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


def checked_first(check: Callable[..., Any]):
    """Run ``check(g.user, **path parameters)`` before the body is parsed, so that DOMAIN.md's order
    holds: 404 (outside the caller's region) → 403 (role, four eyes) → 409 (state) → 422 (input).

    Put it above ``@blp.arguments`` (below ``login_required``); ``check`` raises the service's
    NotFound/Forbidden/Conflict and its return value is ignored (the view loads what it needs).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            check(g.user, **kwargs)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def roles_first(*roles: str):
    """403 before the body is parsed unless the caller has one of ``roles`` (the service checks again,
    with its own words); for the routes with no object in the path (a create, an upload)."""

    def check(user, **_path) -> None:
        if user.role not in roles:
            from loanflow.core.errors import Forbidden, msg

            raise Forbidden(msg("你的角色不能执行此操作", "Your role may not do this"))

    return checked_first(check)
