"""Logins resist guessing (DOMAIN.md, "The HTTP API"): 5 wrong passwords in 15 minutes per user and per
address, then 429 with Retry-After on the pages and on ``POST /api/v1/tokens``; an unknown user costs
what a wrong password costs; the next page is on this site only."""

from __future__ import annotations

import os
import time

import pytest
from werkzeug.security import generate_password_hash

from loanflow.accounts.models import User
from loanflow.extensions import db
from loanflow.web.testing.fixtures import DEMO_PASSWORD, PageClient


def _token(client, username: str, password: str, address: str = "192.0.2.1"):
    return client.post(
        "/api/v1/tokens",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _page_login(client, username: str, password: str, address: str = "192.0.2.1", next_: str | None = None):
    url = "/login" if next_ is None else "/login?next=" + next_
    return client.post(
        url, data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_five_wrong_passwords_then_even_the_right_one_is_refused_with_retry_after(client, demo):
    answers = [_token(client, "clerk", "wrong-password").status_code for _ in range(5)]
    right = _token(client, "clerk", DEMO_PASSWORD)
    assert answers == [401] * 5
    assert right.status_code == 429
    assert right.headers["Content-Type"].startswith("application/problem+json")
    assert 1 <= int(right.headers["Retry-After"]) <= 15 * 60
    assert "token" not in right.json


def test_the_user_is_throttled_whatever_address_the_guesses_come_from(client, demo):
    for i in range(5):
        assert _token(client, "officer", "wrong-password", address=f"198.51.100.{i}").status_code == 401
    assert _token(client, "officer", DEMO_PASSWORD, address="198.51.100.77").status_code == 429
    assert _token(client, "clerk", DEMO_PASSWORD, address="198.51.100.77").status_code == 201


def test_one_address_guessing_many_usernames_is_throttled(client, demo):
    for name in ("clerk", "officer", "approver", "nobody", "admin"):
        assert _token(client, name, "wrong-password", address="203.0.113.5").status_code == 401
    assert _token(client, "supervisor", DEMO_PASSWORD, address="203.0.113.5").status_code == 429
    assert _token(client, "supervisor", DEMO_PASSWORD, address="203.0.113.6").status_code == 201


def test_the_login_page_and_the_token_api_count_the_same_failures(app, demo):
    page = PageClient(app, app.response_class, use_cookies=True)
    api = app.test_client()
    for _ in range(3):
        assert _page_login(page, "approver", "wrong-password").status_code == 401
    for _ in range(2):
        assert _token(api, "approver", "wrong-password").status_code == 401
    refused = _page_login(page, "approver", DEMO_PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "分钟后再试" in refused.get_data(as_text=True)
    assert page.get("/households").status_code == 302  # not logged in


def test_a_successful_login_forgets_the_users_earlier_failures(client, demo):
    for _ in range(4):
        assert _token(client, "clerk", "wrong-password", address="192.0.2.10").status_code == 401
    assert _token(client, "clerk", DEMO_PASSWORD, address="192.0.2.11").status_code == 201
    for _ in range(4):
        assert _token(client, "clerk", "wrong-password", address="192.0.2.12").status_code == 401
    assert _token(client, "clerk", DEMO_PASSWORD, address="192.0.2.13").status_code == 201


def test_an_unknown_user_takes_as_long_as_a_wrong_password(app, client, demo):
    """With the production hash (scrypt, ~50–100 ms): before, an unknown user was answered in 3 ms."""
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    db.session.get(User, _user_id("clerk")).password_hash = generate_password_hash(DEMO_PASSWORD, "scrypt")
    db.session.commit()  # as its own request would (each answer below rolls back its own work)

    def timed(username: str, address: str) -> float:
        start = time.perf_counter()
        assert _token(client, username, "wrong-password", address=address).status_code == 401
        return time.perf_counter() - start

    timed("nobody-at-all", "192.0.2.99")  # the dummy hash is made once, on first use
    wrong, unknown = [], []
    for i in range(4):  # interleaved, so that a busy machine slows both alike (a 5th wrong password is 429)
        wrong.append(timed("clerk", f"192.0.2.{20 + i}"))
        unknown.append(timed(f"nobody-{i}", f"192.0.2.{30 + i}"))
    assert min(wrong) > 0.01
    assert min(unknown) == pytest.approx(min(wrong), rel=0.5)


def _user_id(username: str) -> int:
    return db.session.scalar(db.select(User.id).where(User.username == username))


@pytest.mark.parametrize(
    "next_",
    [
        "/%09/evil.example/phish",
        "//evil.example/phish",
        "/%5Cevil.example",
        "https://evil.example/",
        "/%0d%0a/evil.example",
        "javascript:alert(1)",
        "%2F%2Fevil.example",
    ],
)
def test_after_login_next_never_leaves_the_site(app, demo, next_):
    page = PageClient(app, app.response_class, use_cookies=True)
    r = _page_login(page, "clerk", DEMO_PASSWORD, next_=next_)
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_after_login_next_goes_to_the_page_asked_for(app, demo):
    page = PageClient(app, app.response_class, use_cookies=True)
    r = _page_login(page, "clerk", DEMO_PASSWORD, next_="/loans%3Fstate%3Dapplied")
    assert r.headers["Location"] == "/loans?state=applied"


def test_with_redis_configured_the_failures_are_counted_where_every_node_reads_them():
    """``RATELIMIT_STORAGE_URI=redis://…``: a node's counts live in Redis, so another node (here a
    storage of its own on the same server) refuses the sixth try too."""
    redis = pytest.importorskip("redis")
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    from config import TestConfig
    from loanflow import create_app
    from loanflow.accounts.login import failure_counts

    node = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_STORAGE_URI": url})
    with node.app_context():
        db.create_all()
        failure_counts().reset()
        try:
            client = node.test_client()
            for _ in range(5):
                assert _token(client, "someone", "wrong", address="198.51.100.200").status_code == 401
            other_node = MovingWindowRateLimiter(storage_from_string(url))
            limit = parse(node.config["LOGIN_FAILURE_LIMIT"])
            assert not other_node.test(limit, "login-user", "someone")
            assert not other_node.test(limit, "login-address", "198.51.100.200")
            assert _token(client, "someone", "wrong", address="198.51.100.201").status_code == 429
        finally:
            failure_counts().reset()
            db.session.remove()
