"""The village 公示 on the real calendar, objections, the public list, and the admin's calendar years."""

from datetime import date

from loanflow.extensions import db
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.testing.factories import business_date, fresh_household, make_case

VILLAGE = "341503001001"
OTHER_VILLAGE = "341503001002"


def verified_case(users, name, start, village=VILLAGE, **kw):
    h = fresh_household(village, name)
    clerk = users["clerk"] if village == VILLAGE else township_clerk()
    return make_case(
        h, "verified", start=start, clerk=clerk, verifier=users["approver"], approver=users["approver2"], **kw
    )


def township_clerk():
    from loanflow.accounts.models import User
    from loanflow.accounts.services import create_user

    found = db.session.scalar(db.select(User).where(User.username == "town_clerk"))
    return found or create_user(
        None,
        username="town_clerk",
        full_name="镇经办",
        role="clerk",
        region_code="341503001",
        password="x" * 12,
    )


def test_a_list_posted_before_national_day_runs_over_the_holiday_and_the_make_up_saturday(
    app, client, login, users, monkeypatch
):
    case = verified_case(users, "国庆户", date(2026, 9, 28))
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-09-30")  # a Wednesday
    r = client.post(f"/api/v1/subsidies/{case.id}/publicize", json={}, headers=login("approver"))
    assert r.status_code == 200, r.json
    shown = r.json["publicity"]
    # day 1 is 30 September; 1-7 October are off; Saturday 10 October is a make-up working day
    assert (shown["start"], shown["end"], shown["approval_opens"]) == (
        "2026-09-30",
        "2026-10-12",
        "2026-10-13",
    )
    assert shown["provisional"] is False
    assert r.json["stage_due_on"] == "2026-10-19"  # 5 working days after the period ends
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-10-12")
    r = client.post(f"/api/v1/subsidies/{case.id}/approve", json={}, headers=login("approver2"))
    assert r.status_code == 409
    assert "2026-10-13" in r.json["detail"]
    detail = client.get(f"/api/v1/subsidies/{case.id}", headers=login("approver2")).json
    assert "approve" not in detail["allowed_actions"]
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-10-13")
    r = client.post(f"/api/v1/subsidies/{case.id}/approve", json={}, headers=login("approver2"))
    assert r.status_code == 200 and r.json["state"] == "approved"
    assert r.json["approved_on"] == "2026-10-13"


def test_a_list_posted_on_an_ordinary_monday_runs_to_friday(app, client, login, users, monkeypatch):
    case = verified_case(users, "周一户", date(2026, 3, 11))
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-03-16")
    r = client.post(f"/api/v1/subsidies/{case.id}/publicize", json={}, headers=login("approver"))
    shown = r.json["publicity"]
    assert (shown["start"], shown["end"], shown["approval_opens"]) == (
        "2026-03-16",
        "2026-03-20",
        "2026-03-23",
    )


def test_one_list_holds_several_cases_of_one_village_and_shows_no_personal_data(
    app, client, login, users, monkeypatch
):
    a = verified_case(users, "张大山", date(2026, 3, 2), industry="tea", quantity="2.5")
    b = verified_case(users, "李小河", date(2026, 3, 2), industry="pig", quantity="6", verified="4")
    r = client.post(
        f"/api/v1/subsidies/{a.id}/publicize", json={"case_ids": [b.id]}, headers=login("approver")
    )
    assert r.status_code == 200
    pid = r.json["publicity"]["id"]
    assert client.get(f"/api/v1/subsidies/{b.id}", headers=login("clerk")).json["publicity"]["id"] == pid
    body = client.get(f"/api/v1/publicity/{pid}", headers=login("clerk"))
    assert body.status_code == 200
    listed = body.json
    assert listed["village_code"] == VILLAGE and listed["count"] == 2
    assert listed["total_amount"] == "2050.00"
    assert [
        (e["head_name"], e["industry_label"], e["verified_quantity"], e["unit"], e["amount"])
        for e in listed["entries"]
    ] == [
        ("张大山", "茶叶", "2.5", "亩", "1250.00"),
        ("李小河", "生猪", "4", "头", "800.00"),
    ]
    assert set(listed["entries"][0]) == {
        "case_id",
        "head_name",
        "industry",
        "industry_label",
        "unit",
        "verified_quantity",
        "amount",
        "capped",
        "amount_working",
    }
    assert [(e["amount_working"], e["capped"]) for e in listed["entries"]] == [
        ("2.5 亩 × 500 = 1,250", False),
        ("4 头 × 200 = 800", False),
    ]
    text = body.get_data(as_text=True)
    household = db.session.get(SubsidyCase, a.id).household
    for secret in (household.bank_account, household.head.phone, household.main_cause, "因病", "缺资金"):
        assert secret not in text
    by_village = client.get(f"/api/v1/publicity?village={VILLAGE}", headers=login("supervisor")).json
    assert pid in [p["id"] for p in by_village["items"]]
    assert client.get(f"/api/v1/publicity/{pid}", headers=login("clerk2")).status_code == 404


def test_a_list_may_not_mix_villages_and_nothing_is_posted(client, login, users):
    a = verified_case(users, "甲", date(2026, 3, 2))
    b = verified_case(users, "乙", date(2026, 3, 2), village=OTHER_VILLAGE)
    r = client.post(
        f"/api/v1/subsidies/{a.id}/publicize", json={"case_ids": [b.id]}, headers=login("approver")
    )
    assert r.status_code == 422 and "case_ids" in r.json["errors"]
    assert client.get(f"/api/v1/subsidies/{a.id}", headers=login("approver")).json["state"] == "verified"
    assert (
        client.get("/api/v1/publicity?village=" + OTHER_VILLAGE, headers=login("approver")).json["total"] == 0
    )


def test_a_list_naming_an_unverified_case_is_refused_whole(client, login, users):
    a = verified_case(users, "甲", date(2026, 3, 2))
    h = fresh_household(VILLAGE, "乙")
    applied = make_case(
        h,
        "applied",
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
    )
    r = client.post(
        f"/api/v1/subsidies/{a.id}/publicize", json={"case_ids": [applied.id]}, headers=login("approver")
    )
    assert r.status_code == 409
    assert client.get(f"/api/v1/subsidies/{a.id}", headers=login("approver")).json["state"] == "verified"


def test_an_objection_takes_only_its_case_off_the_list_and_releases_its_reservation(client, login, users):
    a = verified_case(users, "张大山", date(2026, 3, 5), quantity="5")
    b = verified_case(users, "李小河", date(2026, 3, 5), quantity="3")
    r = client.post(
        f"/api/v1/subsidies/{a.id}/publicize", json={"case_ids": [b.id]}, headers=login("approver")
    )
    pid = r.json["publicity"]["id"]
    r = client.post(
        f"/api/v1/subsidies/{a.id}/object",
        json={"raised_by": "同组村民王某", "reason": "实际存栏只有 2 头"},
        headers=login("approver"),
    )
    assert r.status_code == 200
    assert r.json["state"] == "applied" and r.json["amount"] is None and r.json["reserved"] is False
    assert r.json["objections"] == [
        {"raised_by": "同组村民王某", "reason": "实际存栏只有 2 头", "recorded_on": "2026-03-10"}
    ]
    assert r.json["allowed_actions"] == ["verify", "reject"]
    listed = client.get(f"/api/v1/publicity/{pid}", headers=login("approver")).json
    assert [e["head_name"] for e in listed["entries"]] == ["李小河"]
    other = client.get(f"/api/v1/subsidies/{b.id}", headers=login("approver")).json
    assert other["state"] == "publicized"
    # the released cap lets the new verification reserve from scratch
    r = client.post(
        f"/api/v1/subsidies/{a.id}/verify",
        json={"verified_quantity": "2", "note": "复核"},
        headers=login("approver"),
    )
    assert r.status_code == 200
    assert r.json["computation"]["reserved_before"] == "0.00" and r.json["amount"] == "400.00"


def test_an_objection_after_the_period_is_refused_with_the_end_date(app, client, login, users, monkeypatch):
    a = verified_case(users, "张大山", date(2026, 3, 2))
    client.post(f"/api/v1/subsidies/{a.id}/publicize", json={}, headers=login("approver"))
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-03-17")
    r = client.post(
        f"/api/v1/subsidies/{a.id}/object",
        json={"raised_by": "村民", "reason": "晚了"},
        headers=login("approver"),
    )
    assert r.status_code == 409 and "2026-03-16" in r.json["detail"]


def test_a_deadline_running_into_an_unpublished_year_is_provisional_until_an_admin_enters_it(
    app, client, login, users, monkeypatch
):
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-12-28")
    h = fresh_household(VILLAGE, "跨年户")
    r = client.post(
        "/api/v1/subsidies",
        json={"household_id": h.id, "industry": "pig", "quantity": "5", "consent": True},
        headers=login("clerk"),
    )
    assert r.status_code == 201
    applied = r.json
    # 2027 unknown: Monday to Friday less its statutory holidays (元旦 1 January, computed):
    # 29, 30, 31 December, 4 and 5 January
    assert (applied["stage_due_on"], applied["stage_due_provisional"]) == ("2027-01-05", True)
    posted = verified_case(users, "公示户", date(2026, 12, 22))
    with business_date(date(2026, 12, 28)):
        r = client.post(f"/api/v1/subsidies/{posted.id}/publicize", json={}, headers=login("approver"))
    assert r.json["publicity"]["provisional"] is True and r.json["publicity"]["end"] == "2027-01-04"

    year = {"year": 2027, "holidays": ["2027-01-01"], "workdays": []}
    assert client.post("/api/v1/calendar/years", json=year, headers=login("approver2")).status_code == 403
    r = client.post("/api/v1/calendar/years", json=year, headers=login("admin"))
    assert r.status_code == 201, r.json
    assert r.json["refirmed"]["subsidy_deadlines"] >= 2 and r.json["refirmed"]["publicity_periods"] == 1

    firm = client.get(f"/api/v1/subsidies/{applied['id']}", headers=login("clerk")).json
    assert (firm["stage_due_on"], firm["stage_due_provisional"]) == ("2027-01-05", False)
    posted_now = client.get(f"/api/v1/subsidies/{posted.id}", headers=login("clerk")).json
    shown = posted_now["publicity"]
    assert (shown["end"], shown["approval_opens"], shown["provisional"]) == (
        "2027-01-04",
        "2027-01-05",
        False,
    )
    assert posted_now["stage_due_provisional"] is False


def test_a_calendar_year_with_a_date_of_another_year_is_refused(client, login):
    r = client.post(
        "/api/v1/calendar/years", json={"year": 2027, "holidays": ["2028-01-01"]}, headers=login("admin")
    )
    assert r.status_code == 422


def test_an_early_approval_is_refused_but_still_offers_the_county_approver_what_remains(
    app, client, login, users, monkeypatch
):
    a = verified_case(users, "张大山", date(2026, 3, 2))
    client.post(f"/api/v1/subsidies/{a.id}/publicize", json={}, headers=login("approver"))
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-03-16")
    r = client.post(f"/api/v1/subsidies/{a.id}/approve", json={}, headers=login("approver2"))
    assert r.status_code == 409 and "2026-03-17" in r.json["detail"]
    # the county approver may still record an objection (the list runs until the 16th) or reject
    assert (r.json["state"], r.json["allowed_actions"]) == ("publicized", ["object", "reject"])


def test_a_late_objection_is_refused_but_still_offers_the_township_approver_a_rejection(
    app, client, login, users, monkeypatch
):
    a = verified_case(users, "张大山", date(2026, 3, 2))
    client.post(f"/api/v1/subsidies/{a.id}/publicize", json={}, headers=login("approver"))
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", "2026-03-17")
    r = client.post(
        f"/api/v1/subsidies/{a.id}/object",
        json={"raised_by": "村民", "reason": "晚了"},
        headers=login("approver"),
    )
    assert r.status_code == 409
    assert (r.json["state"], r.json["allowed_actions"]) == ("publicized", ["reject"])
