"""The supervision API: the stalled queue and its export, presses, spot checks, flags, audit events;
and a township supervisor who never sees another township's cases or numbers."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from loanflow.core.clock import business_date
from loanflow.loans.testing.factories import deposit, drive, fresh_households, open_loan

pytestmark = pytest.mark.bare_demo


@pytest.fixture
def cases(demo, users):
    """Stalled loans in township A (rated, waiting for its credit) and B (applied), and B's dead end."""
    deposit("341503", "1000000.00", date(2025, 12, 1))
    with business_date(date(2026, 2, 2)):
        a = drive(
            open_loan(users["clerk"], fresh_households(users["clerk"].region_code)[0]),
            "rated",
            officer=users["officer"],
        )
        b = open_loan(users["clerk2"], fresh_households(users["clerk2"].region_code)[0])
        dead = drive(
            open_loan(users["clerk2"], fresh_households(users["clerk2"].region_code)[1]),
            "credited",
            officer=users["officer3"],
        )
    return {"a": a, "b": b, "dead": dead}


def test_the_stalled_queue_lists_both_townships_for_the_county_supervisor_with_who_must_act(
    client, login, cases
):
    r = client.get("/api/v1/stalled", headers=login("supervisor"))
    assert r.status_code == 200
    items = {i["case_number"]: i for i in r.json["items"]}
    assert set(items) == {cases["a"].case_number, cases["b"].case_number, cases["dead"].case_number}
    a = items[cases["a"].case_number]
    assert a["stage"] == "rated" and a["stage_label"] == "已评级"
    assert [m["name"] for m in a["must_act"]] == ["张信贷", "刘信贷"] and not a["dead_end"]
    assert a["must_act_roles"] == [{"role": "bank_officer", "role_label": "信贷员"}]
    assert "*" in a["household"] and a["household"][0] != "*"  # masked for supervisors
    dead = items[cases["dead"].case_number]
    assert dead["dead_end"] and dead["must_act"] == []
    assert dead["dead_end_reason"]["zh"] == "须由本网点另一名信贷员放款，本网点目前没有"


def test_the_township_supervisor_sees_only_their_townships_cases_and_numbers(
    client, login, cases, township_supervisor
):
    h = login("supervisor_b")
    numbers = {i["case_number"] for i in client.get("/api/v1/stalled", headers=h).json["items"]}
    assert numbers == {cases["b"].case_number, cases["dead"].case_number}
    assert client.get("/api/v1/stalled?township=341503001", headers=h).json["total"] == 0
    summary = client.get("/api/v1/supervision/summary", headers=h).json
    assert summary["stalled"] == 2
    assert [c["case_number"] for c in summary["dead_ends"]] == [cases["dead"].case_number]
    # pressing township A's case is as if it did not exist; its press is not listed for B
    assert (
        client.post(f"/api/v1/loans/{cases['a'].id}/press", json={"note": "x"}, headers=h).status_code == 404
    )
    client.post(
        f"/api/v1/loans/{cases['a'].id}/press", json={"note": "A 镇督办"}, headers=login("supervisor")
    )
    assert client.get("/api/v1/presses", headers=h).json["total"] == 0
    assert client.get("/api/v1/supervision/summary", headers=h).json["unanswered_presses"] == 0
    events = client.get("/api/v1/audit/events?per_page=500", headers=h).json["items"]
    assert events and all(e["entity_id"] != str(cases["a"].id) or e["entity_type"] != "loan" for e in events)
    assert {
        c["case_number"] for f in client.get("/api/v1/flags", headers=h).json["items"] for c in f["cases"]
    } == {cases["dead"].case_number}
    r = client.post(
        "/api/v1/spot-checks",
        json={
            "region": "341503001",
            "product": "loan",
            "opened_from": "2026-01-01",
            "opened_to": "2026-03-10",
            "size": 2,
        },
        headers=h,
    )
    assert r.status_code == 422 and "region" in r.json["errors"]


def test_the_export_is_the_filtered_queue_as_a_workbook(client, login, cases):
    r = client.get("/api/v1/stalled?format=xlsx&township=341503002", headers=login("supervisor"))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [row for row in ws.iter_rows(min_row=3, values_only=True)]
    assert {row[1] for row in rows} == {cases["b"].case_number, cases["dead"].case_number}
    dead_row = next(row for row in rows if row[1] == cases["dead"].case_number)
    assert dead_row[11] == "须由本网点另一名信贷员放款，本网点目前没有"


def test_a_press_through_the_api_is_answered_by_the_officers_credit(client, login, cases, users):
    loan = cases["a"]
    r = client.post(
        f"/api/v1/loans/{loan.id}/press", json={"note": "请尽快授信"}, headers=login("supervisor")
    )
    assert r.status_code == 201 and r.json["note"] == "请尽快授信" and r.json["answered"] is False
    item = next(
        i for i in client.get("/api/v1/stalled?pressed=true", headers=login("supervisor")).json["items"]
    )
    assert item["case_number"] == loan.case_number and item["presses"] == 1 and item["open_presses"] == 1
    r = client.post(
        f"/api/v1/loans/{loan.id}/credit",
        json={"amount": "20000.00", "term_months": 12},
        headers=login("officer"),
    )
    assert r.status_code == 200, r.json
    press = client.get("/api/v1/presses", headers=login("supervisor")).json["items"][0]
    assert press["answered"] and press["answered_by"] == "张信贷" and press["answer_action"] == "credit"
    timeline = client.get(f"/api/v1/loans/{loan.id}", headers=login("supervisor")).json["timeline"]
    assert [e["action"] for e in timeline][-3:] == [
        "supervision.press",
        "credit",
        "supervision.press_answered",
    ]
    assert timeline[-2]["actor_name"] == "张信贷"
    assert [e["action_label"] for e in timeline][-3:] == ["督办", "授信", "督办已响应"]


def test_press_refusals_come_in_order_and_write_nothing(client, login, cases):
    loan = cases["a"]
    assert (
        client.post(f"/api/v1/loans/{loan.id}/press", json={"bad": 1}, headers=login("officer")).status_code
        == 403
    )
    r = client.post(f"/api/v1/loans/{loan.id}/press", json={"note": ""}, headers=login("supervisor"))
    assert r.status_code == 422 and "note" in r.json["errors"]
    r = client.post(
        f"/api/v1/loans/{loan.id}/press", json={"note": "x", "extra": 1}, headers=login("supervisor")
    )
    assert r.status_code == 422
    assert (
        client.post(
            "/api/v1/subsidies/999999/press", json={"note": "x"}, headers=login("supervisor")
        ).status_code
        == 404
    )
    assert client.get("/api/v1/presses", headers=login("supervisor")).json["total"] == 0
    assert client.get("/api/v1/stalled", headers=login("officer")).status_code == 403


def spot_check(client, h, **kw):
    body = {
        "product": "all",
        "opened_from": "2026-01-01",
        "opened_to": "2026-03-10",
        "size": 2,
        "seed": "5321",
        **kw,
    }
    return client.post("/api/v1/spot-checks", json=body, headers=h)


def test_the_same_spot_check_inputs_draw_the_same_cases_in_the_same_order(client, login, cases):
    h = login("supervisor")
    first, second = spot_check(client, h), spot_check(client, h)
    assert first.status_code == second.status_code == 201
    drawn = [(i["case_type"], i["case_id"]) for i in first.json["items"]]
    assert drawn == [(i["case_type"], i["case_id"]) for i in second.json["items"]]
    assert len(drawn) == 2 and first.json["population"] == 3
    others = {
        tuple((i["case_type"], i["case_id"]) for i in spot_check(client, h, seed=str(s)).json["items"])
        for s in range(8)
    }
    assert len(others) > 1  # another seed, another sample
    unseeded = spot_check(client, h, seed=None)
    assert unseeded.status_code == 201 and unseeded.json["seed"].isdigit()


def test_findings_fine_and_problem_and_a_problem_closed_with_a_note_make_the_progress(client, login, cases):
    h = login("supervisor")
    sample = spot_check(client, h, size=3).json
    url = f"/api/v1/spot-checks/{sample['id']}"
    (t1, i1), (t2, i2), _third = [(i["case_type"], i["case_id"]) for i in sample["items"]]
    r = client.post(f"{url}/findings", json={"case_type": t1, "case_id": i1, "result": "problem"}, headers=h)
    assert r.status_code == 422 and "note" in r.json["errors"]
    client.post(f"{url}/findings", json={"case_type": t1, "case_id": i1, "result": "fine"}, headers=h)
    r = client.post(
        f"{url}/findings",
        json={"case_type": t2, "case_id": i2, "result": "problem", "note": "材料缺签字"},
        headers=h,
    )
    assert r.status_code == 201
    assert r.json["progress"] == {"checked": 2, "total": 3, "problems": 1, "problems_open": 1}
    assert client.get("/api/v1/supervision/summary", headers=h).json["open_problems"] == 1
    again = client.post(f"{url}/findings", json={"case_type": t2, "case_id": i2, "result": "fine"}, headers=h)
    assert again.status_code == 409
    r = client.post(f"{url}/closings", json={"case_type": t2, "case_id": i2, "note": "已补签"}, headers=h)
    assert r.status_code == 201 and r.json["progress"]["problems_open"] == 0
    assert client.get(url, headers=h).json["items"][1]["close_note"] == "已补签"
    outside = client.post(
        f"{url}/findings", json={"case_type": "loan", "case_id": 999999, "result": "fine"}, headers=h
    )
    assert outside.status_code == 422


def test_audit_events_are_searched_and_masked(client, login, cases):
    h = login("supervisor")
    r = client.get(f"/api/v1/audit/events?entity=loan&entity_id={cases['a'].id}", headers=h)
    assert [e["action"] for e in r.json["items"]] == ["loan.rate", "loan.apply"]
    assert all(
        "*" in e["after"]["borrower_id_number"]
        for e in r.json["items"]
        if "borrower_id_number" in (e["after"] or {})
    )
    by_actor = client.get("/api/v1/audit/events?actor=张信贷&action=loan.", headers=h).json["items"]
    assert {e["action"] for e in by_actor} == {"loan.rate"}  # 张信贷 rated; officer3 credited the other
    assert (
        client.get("/api/v1/audit/events?from=2026-03-01&to=2026-03-10&entity=loan", headers=h).json["total"]
        == 0
    )
    registered = client.get("/api/v1/audit/events?action=household.register&per_page=1", headers=h).json[
        "items"
    ][0]
    member = registered["after"]["members"][0]
    assert "*" in member["id_number"] and "****" in member["phone"] and member["birth_date"] == "****"
