"""A subsidy from application to payment through the API: amounts, four eyes, payment, audit, lists."""

from datetime import date

from sqlalchemy import select

from loanflow.accounts.services import create_user
from loanflow.audit.models import AuditEvent
from loanflow.extensions import db
from loanflow.subsidies.models import SubsidyCap
from loanflow.subsidies.testing.factories import fresh_household, make_case

VILLAGE = "341503001001"


def apply(client, login, household_id, **over):
    body = {"household_id": household_id, "industry": "kiwi", "quantity": "3", "consent": True, **over}
    return client.post("/api/v1/subsidies", json=body, headers=login("clerk"))


def test_a_subsidy_goes_from_application_to_payment_with_every_figure_shown(
    app, client, login, users, monkeypatch
):
    h = fresh_household(VILLAGE, "陈有田")
    r = apply(client, login, h.id)
    assert r.status_code == 201, r.json
    case = r.json
    assert (case["state"], case["state_label"], case["industry_label"], case["unit"]) == (
        "applied",
        "已申报",
        "猕猴桃",
        "亩",
    )
    assert case["stage_due_on"] == "2026-03-17" and case["allowed_actions"] == ["withdraw"]
    url = f"/api/v1/subsidies/{case['id']}"
    r = client.post(
        url + "/verify", json={"verified_quantity": "2.5", "note": "实地丈量"}, headers=login("approver")
    )
    assert r.status_code == 200
    assert r.json["amount"] == "2000.00"
    assert r.json["computation"] == {
        "unit_rate": "800.00",
        "declared_quantity": "3",
        "verified_quantity": "2.5",
        "counted_quantity": "2.5",
        "gross": "2000.00",
        "cap": "3000.00",
        "cap_period": "2026",
        "reserved_before": "0.00",
        "cap_left": "3000.00",
        "amount": "2000.00",
        "capped": False,
        "policy_version": 1,
    }
    r = client.post(url + "/publicize", json={}, headers=login("approver"))
    assert r.json["publicity"]["approval_opens"] == "2026-03-17"
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-03-17")
    assert client.post(url + "/approve", headers=login("approver2")).status_code == 200
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-03-19")
    r = client.post(
        url + "/disburse",
        json={"date": "2026-03-18", "payment_reference": "NS20260318-7"},
        headers=login("approver2"),
    )
    assert r.status_code == 200
    paid = r.json
    assert paid["state"] == "disbursed" and paid["disbursed_on"] == "2026-03-18"
    assert paid["paid_account"] == h.bank_account and paid["payment_reference"] == "NS20260318-7"
    assert paid["stage_due_on"] is None and paid["allowed_actions"] == []
    assert [(t["action"], t["actor"]) for t in paid["timeline"]] == [
        ("apply", "clerk"),
        ("verify", "approver"),
        ("publicize", "approver"),
        ("approve", "approver2"),
        ("disburse", "approver2"),
    ]
    masked = client.get(url, headers=login("supervisor")).json["paid_account"]
    assert masked != h.bank_account and masked.endswith(h.bank_account[-4:])
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "subsidy")).all()
    assert {e.chain for e in events} == {"341503"}
    assert client.get("/api/v1/audit/verify", headers=login("supervisor")).json["ok"] is True
    # the payment keeps its reservation: the household has 1000.00 left this year
    assert db.session.get(SubsidyCap, (h.id, "2026")).reserved == 2000


def test_the_verifier_may_not_approve_the_same_case(app, client, login, users, monkeypatch):
    county2 = create_user(
        None,
        username="county2",
        full_name="钱审批",
        role="approver",
        region_code="341503",
        password="demo-password",
    )
    h = fresh_household(VILLAGE, "孙二")
    # a county approver may take the township's steps: here it verifies itself
    case = make_case(
        h,
        "publicized",
        start=date(2026, 2, 24),
        clerk=users["clerk"],
        verifier=users["approver2"],
        approver=county2,
    )
    url = f"/api/v1/subsidies/{case.id}"
    assert "approve" not in client.get(url, headers=login("approver2")).json["allowed_actions"]
    r = client.post(url + "/approve", headers=login("approver2"))
    assert r.status_code == 403
    assert "四眼" in r.json["detail"]
    r = client.post(url + "/approve", headers={**login("approver2"), "Accept-Language": "en"})
    assert r.json["detail"] == "Who verified a case may not approve it (four eyes)"
    assert client.post(url + "/approve", headers=login("county2")).status_code == 200


def test_a_payment_date_in_the_future_or_before_approval_is_refused(client, login, users):
    h = fresh_household(VILLAGE, "周三")
    case = make_case(
        h,
        "approved",
        start=date(2026, 2, 24),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
    )
    url = f"/api/v1/subsidies/{case.id}/disburse"
    for bad in ("2026-03-11", "2026-03-03"):
        r = client.post(url, json={"date": bad, "payment_reference": "X1"}, headers=login("approver2"))
        assert r.status_code == 422 and "date" in r.json["errors"], bad
    r = client.post(url, json={"date": "2026-03-10"}, headers=login("approver2"))
    assert r.status_code == 422 and "payment_reference" in r.json["errors"]
    r = client.post(
        url,
        json={"date": "2026-03-10", "payment_reference": "X1", "account": "1"},
        headers=login("approver2"),
    )
    assert r.status_code == 422 and "account" in r.json["errors"]


def test_an_application_names_every_bad_field(client, login, users):
    h = fresh_household(VILLAGE, "吴四")
    r = apply(client, login, h.id, industry="opium", quantity="1.234", consent=False)
    assert r.status_code == 422
    assert set(r.json["errors"]) == {"industry", "quantity", "consent"}
    r = apply(client, login, h.id, quantity=3)
    assert r.status_code == 422 and "quantity" in r.json["errors"]
    r = apply(client, login, h.id, quantity="0")
    assert r.status_code == 422 and "quantity" in r.json["errors"]
    r = apply(client, login, h.id, note="extra")
    assert r.status_code == 422 and "note" in r.json["errors"]


def test_only_a_clerk_of_the_household_region_applies(client, login, users):
    h = fresh_household(VILLAGE, "郑五")
    body = {"household_id": h.id, "industry": "pig", "quantity": "2", "consent": True}
    assert client.post("/api/v1/subsidies", json=body, headers=login("clerk2")).status_code == 404
    assert client.post("/api/v1/subsidies", json=body, headers=login("approver")).status_code == 403


def test_a_retried_verification_is_done_once(client, login, users):
    h = fresh_household(VILLAGE, "冯六")
    case = make_case(
        h,
        "applied",
        start=date(2026, 3, 9),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
    )
    headers = {**login("approver"), "Idempotency-Key": "verify-1"}
    body = {"verified_quantity": "5", "note": "ok"}
    first = client.post(f"/api/v1/subsidies/{case.id}/verify", json=body, headers=headers)
    again = client.post(f"/api/v1/subsidies/{case.id}/verify", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json == first.json
    verifies = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(case.id), AuditEvent.action == "subsidy.verify")
    ).all()
    assert len(verifies) == 1
    assert db.session.get(SubsidyCap, (h.id, "2026")).reserved == 1000
    other = client.post(f"/api/v1/subsidies/{case.id}/verify", json={**body, "note": "x"}, headers=headers)
    assert other.status_code == 422


def test_the_list_filters_by_village_state_and_year_and_pages(client, login, users):
    made = []
    for i, state in enumerate(("applied", "verified", "rejected")):
        h = fresh_household(VILLAGE, f"列表{i}")
        made.append(
            make_case(
                h,
                state,
                start=date(2026, 3, 2),
                clerk=users["clerk"],
                verifier=users["approver"],
                approver=users["approver2"],
            )
        )
    r = client.get(f"/api/v1/subsidies?village={VILLAGE}&state=verified&year=2026", headers=login("approver"))
    ids = [c["id"] for c in r.json["items"]]
    assert made[1].id in ids and made[0].id not in ids
    assert all(c["state"] == "verified" and c["state_label"] == "已核验" for c in r.json["items"])
    assert client.get("/api/v1/subsidies?year=2025", headers=login("approver")).json["total"] == 0
    page = client.get("/api/v1/subsidies?per_page=2&page=2", headers=login("approver")).json
    assert len(page["items"]) == 2 and page["page"] == 2 and page["total"] >= 15
    assert client.get("/api/v1/subsidies", headers=login("approver3")).json["total"] == 0
    assert client.get("/api/v1/subsidies?state=paid", headers=login("approver")).status_code == 422
