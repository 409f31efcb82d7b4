"""Logging in, for the pages and ``POST /api/v1/tokens`` alike: who is it, and may they try again.

Wrong passwords are counted per user and per address (``LOGIN_FAILURE_LIMIT``, DOMAIN.md: 5 in 15
minutes) in a ``limits`` storage (memory, or Redis shared by every node: ``RATELIMIT_STORAGE_URI``);
once either count is
full the next try is refused with 429 and how long to wait, even with the right password. A user
who does not exist costs one password hash like a wrong password, so the answer's time does not
tell which usernames exist. A successful login clears the user's count (not the address's).
"""

from __future__ import annotations

import math
import time
import unicodedata
from functools import cache
from urllib.parse import urlsplit

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from loanflow.accounts.models import User
from loanflow.core.errors import TooManyAttempts, Unauthorized, msg
from loanflow.extensions import db

WRONG = msg("用户名或密码错误", "Wrong username or password")


def authenticate(username: str, password: str, address: str | None) -> User:
    """The active user with this username and password.

    Raises ``TooManyAttempts`` (429) while this user or this address has used up its failures, and
    ``Unauthorized`` (401) for a wrong password, an unknown or a deactivated user (counted as failures).
    """
    limit, window = _limit(), _window()
    keys = [("login-user", username.strip().casefold()), ("login-address", address or "-")]
    waits = [_retry_after(window, limit, key) for key in keys if not window.test(limit, *key)]
    if waits:
        raise TooManyAttempts(max(waits), _too_many(max(waits)))
    user = db.session.scalar(select(User).where(User.username == username))
    stored = (
        user.password_hash if user is not None else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
    )
    if not check_password_hash(stored, password) or user is None or not user.active:
        for key in keys:
            window.hit(limit, *key)
        raise Unauthorized(WRONG)
    window.clear(limit, *keys[0])
    return user


def same_site_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site (``/loans?state=applied``), else None.

    Browsers drop tabs and newlines and read ``\\`` as ``/``: ``/\\t/evil.example`` would leave the site.
    """
    if not target or any(c == "\\" or c.isspace() or unicodedata.category(c)[0] == "C" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _limit() -> RateLimitItem:
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


COUNTS = "loanflow.accounts.login_counts"  # app.extensions key: the app's storage of wrong-password counts


def use_failure_counts(app: Flask) -> None:
    """Make the app's storage of wrong-password counts from ``RATELIMIT_STORAGE_URI`` (at start-up: two
    first logins at once must not make two stores)."""
    app.extensions[COUNTS] = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])


def failure_counts() -> Storage:
    """The app's storage of wrong-password counts.

    The ``limits`` library directly (the one Flask-Limiter is built on): only the logins are counted,
    so nothing needs Flask-Limiter's check before every request.
    """
    return current_app.extensions[COUNTS]


def _window() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(failure_counts())


def _retry_after(window: MovingWindowRateLimiter, limit: RateLimitItem, key: tuple[str, str]) -> int:
    reset_at = window.get_window_stats(limit, *key).reset_time
    return max(math.ceil(reset_at - time.time()), 1)


def _too_many(seconds: int):
    minutes = max(math.ceil(seconds / 60), 1)
    return msg(
        f"密码错误次数过多，请 {minutes} 分钟后再试",
        f"Too many wrong passwords; try again in {minutes} minutes",
        "too_many_attempts",
    )


@cache
def _dummy_hash(method: str) -> str:
    """A hash made like the real ones, checked when the user does not exist (same cost, same time)."""
    return generate_password_hash("no such user: the same work as a wrong password", method)


def session_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the active user a page session names, if the session is still live.

    The session names ``<user id>:<generation>``; logging out bumps the generation, so the cookie of an
    ended session (copied, replayed, or kept by another browser) no longer finds its user.
    """
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def end_sessions(user: User) -> None:
    """End every page session of ``user`` on the server (logout)."""
    db.session.execute(
        update(User).where(User.id == user.id).values(session_generation=User.session_generation + 1)
    )
    db.session.expire(user, ["session_generation"])  # kept loaded across uow.flush(): read it afresh
