"""Sessions and tokens end (DOMAIN.md, "The HTTP API"): a bearer token expires after the policy's
``token_hours`` (12 by default); logout ends the page session on the server, so a copied cookie
stops working; a deactivated user's session stops at once; cookies are Secure behind TLS."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from werkzeug.security import generate_password_hash

from config import TestConfig
from loanflow.accounts.models import User
from loanflow.core import clock
from loanflow.core.domain.policy import default_policy_document
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.policy.services import publish_policy
from loanflow.web.testing.fixtures import DEMO_PASSWORD, PageClient


def _issue(client, username: str = "clerk"):
    r = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.json, {"Authorization": f"Bearer {r.json['token']}"}


def test_a_token_expires_twelve_hours_after_it_was_issued(client, demo, monkeypatch):
    body, headers = _issue(client)
    issued = clock.wall_now()
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11, minutes=59) < expires - issued <= timedelta(hours=12)
    monkeypatch.setattr(clock, "wall_now", lambda: issued + timedelta(hours=11, minutes=58))
    assert client.get("/api/v1/households", headers=headers).status_code == 200
    monkeypatch.setattr(clock, "wall_now", lambda: issued + timedelta(hours=12, minutes=1))
    late = client.get("/api/v1/households", headers=headers)
    assert late.status_code == 401
    assert late.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_outlives_a_replayed_business_date(client, demo):
    """The business date is the cases' calendar, not the token's: a test or demo replaying months later
    keeps its token for its real twelve hours."""
    _body, headers = _issue(client)
    with clock.business_date(clock.today() + timedelta(days=90)):
        assert client.get("/api/v1/households", headers=headers).status_code == 200


def test_the_token_lifetime_is_a_policy_parameter(client, demo):
    assert client.get("/api/v1/policy", headers=_issue(client, "admin")[1]).json["token_hours"] == 12
    document = default_policy_document()
    document["token_hours"] = 2
    publish_policy(None, document, "short tokens")
    db.session.commit()
    body, _headers = _issue(client)
    assert datetime.fromisoformat(body["expires_at"]) - clock.wall_now() <= timedelta(hours=2)


def test_a_replayed_session_cookie_reads_nothing_after_logout(app, demo):
    browser = PageClient(app, app.response_class, use_cookies=True)
    assert browser.post("/login", data={"username": "clerk", "password": DEMO_PASSWORD}).status_code == 302
    clerk = db.session.scalar(db.select(User).where(User.username == "clerk"))
    household = db.session.scalar(db.select(Household.id).where(Household.village_code == clerk.region_code))
    assert browser.get(f"/households/{household}").status_code == 200
    stolen = browser.get_cookie("session").value

    assert browser.post("/logout").status_code == 302
    thief = PageClient(app, app.response_class, use_cookies=True)
    thief.set_cookie("session", stolen)
    replayed = thief.get(f"/households/{household}")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/login")


def test_logging_in_again_after_logout_works(page_as, demo):
    first = page_as("clerk")
    first.post("/logout")
    again = page_as("clerk")
    assert again.get("/households").status_code == 200


def test_a_deactivated_users_session_stops_at_once(page_as, demo):
    browser = page_as("clerk")
    assert browser.get("/households").status_code == 200
    db.session.scalar(db.select(User).where(User.username == "clerk")).active = False
    db.session.commit()
    assert browser.get("/households").status_code == 302


def test_cookies_are_secure_and_the_client_address_is_the_proxys_report_behind_tls():
    """Configured for a TLS proxy (LOANFLOW_TRUSTED_PROXIES=1, LOANFLOW_SECURE_COOKIES=1)."""
    from loanflow import create_app
    from loanflow.core.regions import Region

    app: Flask = create_app(
        TestConfig,
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "TRUSTED_PROXIES": 1, "SESSION_COOKIE_SECURE": True},
    )
    with app.app_context():
        db.create_all()
        db.session.add(Region(code="341503", name="县", level="county"))
        db.session.add(
            User(
                username="u",
                full_name="U",
                role="clerk",
                region_code="341503",
                password_hash=generate_password_hash(DEMO_PASSWORD, TestConfig.PASSWORD_HASH_METHOD),
            )
        )
        db.session.commit()
        client = app.test_client()
        tls = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.50"}
        for _ in range(5):
            client.post("/login", data={"username": "x", "password": "wrong"}, headers=tls)
        assert (
            client.post("/login", data={"username": "u", "password": DEMO_PASSWORD}, headers=tls).status_code
            == 429
        )
        ok = client.post(
            "/login",
            data={"username": "u", "password": DEMO_PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.51"},
        )
        assert ok.status_code == 302  # another client behind the same proxy is not throttled
        cookie = ok.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ok.headers["Strict-Transport-Security"].startswith("max-age=")
        db.session.remove()


def test_a_password_an_admin_set_gets_no_token_until_changed_on_the_page(app, client, demo):
    """An admin's reset (or a new account) forces a change at the first login; the token API refuses the
    admin's password meanwhile, else the API would be a way around the change."""
    admin = PageClient(app, app.response_class, use_cookies=True)
    assert admin.post("/login", data={"username": "admin", "password": DEMO_PASSWORD}).status_code == 302
    clerk_id = db.session.scalar(db.select(User.id).where(User.username == "clerk"))
    admin.post(f"/users/{clerk_id}/password", data={"password": "Reset-by-admin-1"})
    refused = client.post("/api/v1/tokens", json={"username": "clerk", "password": "Reset-by-admin-1"})
    assert refused.status_code == 403 and "token" not in refused.json
    assert "须先在登录页面修改" in refused.json["detail"]
    english = client.post(
        "/api/v1/tokens",
        json={"username": "clerk", "password": "Reset-by-admin-1"},
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 403 and "must be changed on the pages" in english.json["detail"]
    browser = PageClient(app, app.response_class, use_cookies=True)
    browser.post("/login", data={"username": "clerk", "password": "Reset-by-admin-1"})
    changed = browser.post(
        "/password",
        data={
            "current_password": "Reset-by-admin-1",
            "new_password": "Spring-tea-2026",
            "confirm_password": "Spring-tea-2026",
        },
    )
    assert changed.status_code == 302
    assert (
        client.post("/api/v1/tokens", json={"username": "clerk", "password": "Reset-by-admin-1"}).status_code
        == 401
    )
    issued = client.post("/api/v1/tokens", json={"username": "clerk", "password": "Spring-tea-2026"})
    assert issued.status_code == 201 and issued.json["token"]
    headers = {"Authorization": f"Bearer {issued.json['token']}"}
    assert client.get("/api/v1/households", headers=headers).status_code == 200
