"""/api/v1/calendar/years: DOMAIN.md's order (403 → 409 → 422), the dates that moved, GET and PUT."""

from __future__ import annotations

from loanflow.calendar.models import CalendarYear
from loanflow.extensions import db
from loanflow.subsidies.testing.factories import fresh_household

VILLAGE = "341503001001"
YEAR = {"year": 2027, "holidays": ["2027-01-01"], "workdays": []}


def test_a_non_admin_gets_403_even_with_a_bad_body(client, login):
    for body in ({"year": "twenty"}, {"year": 2027, "holidays": ["2028-01-01"], "extra": 1}, YEAR):
        r = client.post("/api/v1/calendar/years", json=body, headers=login("approver2"))
        assert r.status_code == 403, (body, r.json)
    assert (
        client.put("/api/v1/calendar/years/2027", json={"holidays": "x"}, headers=login("clerk")).status_code
        == 403
    )
    assert db.session.get(CalendarYear, 2027) is None


def test_an_admin_s_bad_body_is_a_422_naming_the_field(client, login):
    r = client.post("/api/v1/calendar/years", json={"year": "twenty"}, headers=login("admin"))
    assert r.status_code == 422 and "year" in r.json["errors"]
    r = client.post(
        "/api/v1/calendar/years", json={"year": 2027, "holidays": ["2028-01-01"]}, headers=login("admin")
    )
    assert r.status_code == 422 and "2028-01-01" in r.json["errors"]["calendar"][0]
    assert db.session.get(CalendarYear, 2027) is None


def test_a_year_posted_twice_is_a_409_and_put_corrects_it_listing_the_moved_dates(
    app, client, login, monkeypatch
):
    h = fresh_household(VILLAGE, "节假户")
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2027-02-01")
    r = client.post(
        "/api/v1/subsidies",
        json={"household_id": h.id, "industry": "pig", "quantity": "2", "consent": True},
        headers=login("clerk"),
    )
    case_id, number = r.json["id"], f"JB-2027-{r.json['id']:06d}"
    # 2027 unknown: 2, 3, 4 February, 除夕 (5th) off on its legal date, 初三 (8th) off: due the 10th
    assert (r.json["stage_due_on"], r.json["stage_due_provisional"]) == ("2027-02-10", True)

    r = client.post("/api/v1/calendar/years", json=YEAR, headers=login("admin"))
    assert r.status_code == 201, r.json
    assert r.json["created"] is True
    # entered without the Spring Festival: the legal holidays are no longer assumed
    assert r.json["moved"] == [
        {
            "case_type": "subsidy",
            "case_id": case_id,
            "case_number": number,
            "what": "stage_due_on",
            "before": "2027-02-10",
            "after": "2027-02-08",
            "still_provisional": False,
        }
    ]
    again = client.post("/api/v1/calendar/years", json=YEAR, headers=login("admin"))
    assert again.status_code == 409 and "PUT" in again.json["detail"]

    spring = {
        "holidays": ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11"],
        "workdays": ["2027-02-20"],
    }
    r = client.put("/api/v1/calendar/years/2027", json=spring, headers=login("admin"))
    assert r.status_code == 200, r.json
    assert r.json["created"] is False and r.json["holidays"] == spring["holidays"]
    assert [(m["case_number"], m["before"], m["after"]) for m in r.json["moved"]] == [
        (number, "2027-02-08", "2027-02-15")
    ]
    shown = client.get(f"/api/v1/subsidies/{case_id}", headers=login("clerk")).json
    assert (shown["stage_due_on"], shown["stage_due_provisional"]) == ("2027-02-15", False)


def test_get_shows_a_year_entered_published_or_provisional(client, login):
    r = client.get("/api/v1/calendar/years/2028", headers=login("admin"))
    assert r.status_code == 200 and r.json["source"] == "provisional"
    assert r.json["holidays"][:5] == ["2028-01-01", "2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28"]
    assert r.json["workdays"] == []
    r = client.get("/api/v1/calendar/years/2026", headers=login("admin"))
    assert r.json["source"] == "library" and "2026-10-10" in r.json["workdays"]
    assert client.get("/api/v1/calendar/years/2026", headers=login("supervisor")).status_code == 403
    assert client.get("/api/v1/calendar/years/1800", headers=login("admin")).status_code == 422
