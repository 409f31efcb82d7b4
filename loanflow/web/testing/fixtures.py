"""Fixtures for the pages: a browser-like client per demo user (session cookie, Chinese by default)."""

from __future__ import annotations

import re

import pytest
from flask import g
from flask.testing import FlaskClient
from flask_babel import refresh

DEMO_PASSWORD = "demo-password"


class PageClient(FlaskClient):
    """A browser of its own: the tests' app context is shared by every request, so the
    user and the language Flask-Login and Flask-Babel keep on it are dropped before each one."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        refresh()
        return super().open(*args, **kwargs)


@pytest.fixture
def browser(app):
    """A client with its own cookies (session, language), not logged in."""
    return PageClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def page_as(app, demo):
    """``page_as("clerk")`` → a test client logged in through the login form."""

    def _as(username: str):
        c = PageClient(app, app.response_class, use_cookies=True)
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
