"""Issue 9, the subsidy points through the API: the cap's year edge (3), approval refused while the
公示 is provisional (9), whole heads (10), the cap shown (12). Figures to the fen."""

from __future__ import annotations

from datetime import date

from loanflow.extensions import db
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.testing.factories import fresh_household, make_case

VILLAGE = "341503001001"
NEW_YEAR_2027 = {"year": 2027, "holidays": ["2027-01-01"], "workdays": []}


def post(client, login, role, url, body=None):
    return client.post(f"/api/v1{url}", json=body or {}, headers=login(role))


def on(app, monkeypatch, day: str) -> None:
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", day)


def test_the_year_edge_through_the_api_gives_1000_against_2027s_cap(app, client, login, users, monkeypatch):
    h = fresh_household(VILLAGE, "跨年户")
    make_case(
        h,
        "approved",
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
        industry="tea",
        quantity="5",
    )  # 2,500.00 approved in 2026
    on(app, monkeypatch, "2026-12-17")
    r = post(
        client,
        login,
        "clerk",
        "/subsidies",
        {"household_id": h.id, "industry": "pig", "quantity": "5", "consent": True},
    )
    assert r.status_code == 201, r.json
    url = f"/subsidies/{r.json['id']}"
    on(app, monkeypatch, "2026-12-21")
    r = post(client, login, "approver", url + "/verify", {"verified_quantity": "5"})
    assert (r.json["amount"], r.json["capped"], r.json["amount_working"]) == (
        "500.00",
        True,
        "5 头 × 200 = 1,000, 封顶 500",
    )
    on(app, monkeypatch, "2026-12-28")
    r = post(client, login, "approver", url + "/publicize")
    assert r.json["publicity"]["provisional"] is True

    on(app, monkeypatch, "2027-01-05")
    refused = post(client, login, "approver2", url + "/approve")
    assert refused.status_code == 409
    assert "2027" in refused.json["detail"] and "approve" not in refused.json["allowed_actions"]

    assert post(client, login, "admin", "/calendar/years", NEW_YEAR_2027).status_code == 201
    r = post(client, login, "approver2", url + "/approve")
    assert r.status_code == 200, r.json
    assert (r.json["state"], r.json["amount"], r.json["capped"]) == ("approved", "1000.00", False)
    assert r.json["amount_working"] == "5 头 × 200 = 1,000"
    assert (r.json["computation"]["cap_period"], r.json["computation"]["reserved_before"]) == ("2027", "0.00")


def test_two_and_a_half_pigs_are_a_422_naming_the_quantity(client, login, users):
    h = fresh_household(VILLAGE, "半头户")
    before = db.session.query(SubsidyCase).count()
    r = client.post(
        "/api/v1/subsidies",
        json={"household_id": h.id, "industry": "pig", "quantity": "2.5", "consent": True},
        headers=login("clerk"),
    )
    assert r.status_code == 422 and r.headers["Content-Type"] == "application/problem+json"
    assert "整数" in r.json["errors"]["quantity"][0]
    assert db.session.query(SubsidyCase).count() == before
    r = client.post(
        "/api/v1/subsidies",
        json={"household_id": h.id, "industry": "pig", "quantity": "3", "consent": True},
        headers=login("clerk"),
    )
    assert r.status_code == 201
    r = client.post(
        f"/api/v1/subsidies/{r.json['id']}/verify",
        json={"verified_quantity": "2.5"},
        headers=login("approver"),
    )
    assert r.status_code == 422 and "verified_quantity" in r.json["errors"]


def test_eighteen_pigs_show_3000_capped_in_the_api_and_on_the_publicity_list(client, login, users):
    h = fresh_household(VILLAGE, "十八头户")
    case = make_case(
        h,
        "verified",
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
        industry="pig",
        quantity="18",
    )
    shown = client.get(f"/api/v1/subsidies/{case.id}", headers=login("clerk")).json
    assert (shown["amount"], shown["capped"], shown["amount_working"]) == (
        "3000.00",
        True,
        "18 头 × 200 = 3,600, 封顶 3,000",
    )
    english = client.get(
        f"/api/v1/subsidies/{case.id}", headers={**login("clerk"), "Accept-Language": "en"}
    ).json
    assert english["amount_working"] == "18 head × 200 = 3,600, capped at 3,000"
    r = client.post(f"/api/v1/subsidies/{case.id}/publicize", json={}, headers=login("approver"))
    listed = client.get(f"/api/v1/publicity/{r.json['publicity']['id']}", headers=login("clerk")).json
    [entry] = listed["entries"]
    assert (entry["amount"], entry["capped"], entry["amount_working"]) == (
        "3000.00",
        True,
        "18 头 × 200 = 3,600, 封顶 3,000",
    )
