"""Every answer carries the security headers of DOMAIN.md ("The HTTP API"), and no page the service
sends has an inline script or style for the CSP to allow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _assert_hardened(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
    assert directives["default-src"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/households", "/loans", "/subsidies", "/publicity"])
def test_pages_with_personal_data_are_hardened_and_never_cached(page_as, path):
    r = page_as("clerk").get(path)
    assert r.status_code == 200
    _assert_hardened(r)
    assert r.headers["Cache-Control"] == "no-store"


def test_the_login_page_errors_and_api_answers_are_hardened_too(client, login):
    for r in (
        client.get("/login"),
        client.get("/no-such-page"),
        client.get("/api/v1/households", headers=login("clerk")),
        client.get("/api/v1/households"),
    ):
        _assert_hardened(r)
        assert r.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_but_not_sniffed(client):
    r = client.get("/static/app.css")
    assert r.status_code == 200
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in r.headers.get("Cache-Control", "")


def test_no_template_served_as_a_page_has_inline_script_or_style():
    pages = [p for p in TEMPLATES.rglob("*.html") if "pdf" not in p.relative_to(TEMPLATES).parts]
    assert len(pages) > 15
    # A JSON data block (<script type="application/json">) is never run, so CSP has nothing to forbid there.
    inline = re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/json\"))|<style|\son[a-z]+=|\sstyle=|javascript:", re.I
    )
    offenders = [
        f"{p.relative_to(TEMPLATES)}: {m.group(0)}" for p in pages for m in inline.finditer(p.read_text())
    ]
    assert offenders == []


def test_an_answer_keeps_its_own_framing_rule_but_never_its_caching(app):
    """A view's own header wins over the default (once, never doubled); caching never does."""
    from flask import Response

    from loanflow.web.security import HEADERS, security_headers

    with app.test_request_context("/households/1"):
        answer = Response("x", headers={"X-Frame-Options": "SAMEORIGIN", "Cache-Control": "max-age=60"})
        answer.headers["Expires"] = "Thu, 01 Dec 2044 16:00:00 GMT"
        hardened = security_headers(answer).headers
    assert hardened.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert hardened.getlist("Cache-Control") == ["no-store"] and "Expires" not in hardened
    for name, value in HEADERS.items():
        if name != "X-Frame-Options":
            assert hardened.getlist(name) == [value]


def test_an_api_answer_sets_no_cookie_and_a_page_login_still_keeps_its_session(client, login, page_as):
    answer = client.get("/api/v1/loans", headers=login("officer"))
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    page = page_as("officer")
    assert page.get("/loans").status_code == 200  # the signed cookie read back: still logged in
