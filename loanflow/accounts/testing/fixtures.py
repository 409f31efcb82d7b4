"""Fixtures for the demo users: their tokens and their rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from loanflow.accounts.models import User
from loanflow.extensions import db

DEMO_PASSWORD = "demo-password"


@pytest.fixture
def login(client: FlaskClient, demo) -> Callable[[str], dict]:
    """``login("clerk")`` → headers with that demo user's bearer token."""
    cache: dict[str, dict] = {}

    def _login(username: str) -> dict:
        if username not in cache:
            r = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 201, r.get_data(as_text=True)
            cache[username] = {"Authorization": f"Bearer {r.json['token']}"}
        return cache[username]

    return _login


@pytest.fixture
def users(demo) -> dict[str, User]:
    """The demo users by username."""
    return {u.username: u for u in db.session.scalars(db.select(User))}
