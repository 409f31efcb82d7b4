"""Fixtures for the pages: a browser-like client per demo user (session cookie, Chinese by default)."""

from __future__ import annotations

import re

import pytest

DEMO_PASSWORD = "demo-password"


@pytest.fixture
def page_as(app, demo):
    """``page_as("clerk")`` → a test client logged in through the login form."""

    def _as(username: str):
        c = app.test_client()
        r = c.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert r.status_code == 302, r.get_data(as_text=True)
        return c

    return _as


def field_errors(html: str, name: str) -> list[str]:
    """The error messages shown beside the input called ``name``."""
    return re.findall(rf'<span class="err" id="err-{re.escape(name)}">([^<]*)</span>', html)


def input_value(html: str, name: str) -> str | None:
    """What the input called ``name`` holds."""
    m = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    return m.group(1) if m else None
