"""Policy versions for the admin: who published each and when, an effective date, two versions compared."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanflow.audit.models import AuditEvent
from loanflow.core.domain.policy import default_policy_document
from loanflow.extensions import db
from loanflow.policy.models import PolicyVersion

pytestmark = pytest.mark.bare_demo
EN = {"Accept-Language": "en"}


def lower_rate() -> dict:
    document = default_policy_document()
    document["loan"]["rates"][4]["rate"] = "0.0290"  # 2025-05-20, up to 12 months
    return document


def test_versions_show_who_published_them_when_and_from_which_day(client, login):
    h = login("admin")
    r = client.post("/api/v1/policy", json={"document": lower_rate(), "note": "2026 年 LPR 调整"}, headers=h)
    assert r.status_code == 201
    items = client.get("/api/v1/policy/versions", headers=h).json["items"]
    assert [(v["version"], v["published_by"], v["effective_on"]) for v in items] == [
        (1, None, None),
        (2, "admin", None),
    ]
    assert items[1]["published_at"] and items[1]["note"] == "2026 年 LPR 调整"


def test_the_diff_of_two_versions_lists_exactly_the_changed_rate(client, login):
    h = login("admin")
    client.post("/api/v1/policy", json={"document": lower_rate()}, headers=h)
    r = client.get("/api/v1/policy/versions/1/diff/2", headers=h)
    assert r.status_code == 200
    assert r.json["changes"] == [
        {"path": "loan.rates[4].rate", "kind": "changed", "before": "0.0300", "after": "0.0290"}
    ]
    assert r.json["a"]["version"] == 1 and r.json["b"]["published_by"] == "admin"
    back = client.get("/api/v1/policy/versions/2/diff/1", headers=h).json["changes"]
    assert back == [{"path": "loan.rates[4].rate", "kind": "changed", "before": "0.0290", "after": "0.0300"}]
    assert client.get("/api/v1/policy/versions/1/diff/9", headers=h).status_code == 404


def test_a_version_effective_later_is_not_in_force_until_its_day(client, login):
    h = login("admin")
    document = lower_rate()
    r = client.post("/api/v1/policy", json={"document": document, "effective_on": "2026-04-01"}, headers=h)
    assert r.status_code == 201
    assert client.get("/api/v1/policy", headers=login("clerk")).json["version"] == 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "policy.publish")).all()[-1]
    assert event.after["effective_on"] == "2026-04-01"


def test_an_effective_date_in_the_past_is_422_naming_it_and_nothing_is_published(client, login):
    before = db.session.scalar(select(PolicyVersion.version).order_by(PolicyVersion.version.desc()).limit(1))
    r = client.post(
        "/api/v1/policy",
        json={"document": lower_rate(), "effective_on": "2026-01-01"},
        headers={**login("admin"), **EN},
    )
    assert r.status_code == 422 and "effective_on" in r.json["errors"]
    latest = db.session.scalar(select(PolicyVersion.version).order_by(PolicyVersion.version.desc()).limit(1))
    assert latest == before


def test_a_clerk_may_not_publish_even_a_good_document(client, login):
    r = client.post("/api/v1/policy", json={"document": lower_rate()}, headers=login("clerk"))
    assert r.status_code == 403
    assert db.session.scalars(select(PolicyVersion)).all()[-1].version == 1
