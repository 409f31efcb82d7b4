"""Regions and branches through the API (admin): the tree, adding and renaming nodes (codes fixed),
branches and the townships they serve, what is shown as a problem; the refusals; the audit events."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loanflow.audit.models import AuditEvent
from loanflow.core.regions import Branch, Region
from loanflow.extensions import db

pytestmark = pytest.mark.bare_demo
EN = {"Accept-Language": "en"}


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def regions() -> int:
    return db.session.scalar(select(func.count()).select_from(Region))


def test_the_admin_reads_the_county_as_a_tree_every_township_with_its_branch(client, login):
    (county,) = client.get("/api/v1/regions", headers=login("admin")).json["items"]
    assert county["code"] == "341503" and county["level"] == "county"
    assert len(county["children"]) == 11
    assert all(t["branch_id"] and not t["problem"] for t in county["children"])
    assert (
        len(county["children"][0]["children"]) > 0
        and county["children"][0]["children"][0]["level"] == "village"
    )


def test_a_new_village_and_a_new_township_are_audited_and_a_township_without_branch_is_a_problem(
    client, login
):
    h = login("admin")
    r = client.post("/api/v1/regions", json={"code": "341503001099", "name": "新建村"}, headers=h)
    assert r.status_code == 201 and r.json == {
        "code": "341503001099",
        "name": "新建村",
        "level": "village",
        "parent": "341503001",
    }
    r = client.post("/api/v1/regions", json={"code": "341503012", "name": "新设镇"}, headers=h)
    assert r.status_code == 201
    assert [e.entity_id for e in events("region.create")][-2:] == ["341503001099", "341503012"]
    (county,) = client.get("/api/v1/regions", headers=h).json["items"]
    problems = [t["code"] for t in county["children"] if t["problem"]]
    assert problems == ["341503012"]


def test_a_region_code_in_use_is_409_and_nothing_changes(client, login):
    before = regions()
    r = client.post(
        "/api/v1/regions", json={"code": "341503001001", "name": "重名村"}, headers=login("admin")
    )
    assert r.status_code == 409
    assert regions() == before and db.session.get(Region, "341503001001").name != "重名村"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "34150300100", "name": "十一位"}, "code"),  # 11 digits
        ({"code": "341503099001", "name": "无上级"}, "code"),  # township 099 does not exist
        ({"code": "341503001098", "name": ""}, "name"),
        ({"code": "341504001001", "name": "外县"}, "code"),
        ({"code": "341503001098", "name": "村", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_region_is_422_naming_the_field(client, login, body, field):
    before = regions()
    r = client.post("/api/v1/regions", json=body, headers={**login("admin"), **EN})
    assert r.status_code == 422 and field in r.json["errors"], r.json
    assert regions() == before and events("region.create")[-1].entity_id != body["code"]


def test_renaming_keeps_the_code_and_asking_for_another_code_is_409(client, login):
    h = login("admin")
    r = client.patch("/api/v1/regions/341503001001", json={"name": "幸福村"}, headers=h)
    assert r.status_code == 200 and r.json["code"] == "341503001001" and r.json["name"] == "幸福村"
    (event,) = events("region.rename")
    assert event.after == {"name": "幸福村"} and event.before["name"] != "幸福村"
    r = client.patch(
        "/api/v1/regions/341503001001", json={"name": "幸福村", "code": "341503001077"}, headers=h
    )
    assert r.status_code == 409
    assert db.session.get(Region, "341503001077") is None


def test_a_clerk_may_not_add_or_rename_regions_nor_touch_branches(client, login):
    h = login("clerk")
    assert client.get("/api/v1/regions", headers=h).status_code == 403
    assert client.post("/api/v1/regions", json={"code": "x"}, headers=h).status_code == 403
    assert client.patch("/api/v1/regions/341503001001", json={"name": "改"}, headers=h).status_code == 403
    assert client.get("/api/v1/branches", headers=h).status_code == 403
    assert client.post("/api/v1/branches", json={}, headers=h).status_code == 403
    assert client.patch("/api/v1/branches/1", json={"name": "改"}, headers=h).status_code == 403
    assert events("region.create")[-1].actor != "clerk" and events("region.rename") == []


def test_another_countys_region_or_branch_is_404_even_with_a_bad_body(client, login):
    from loanflow.accounts.services import create_branch, create_region

    for code, name in (("341502", "外县"), ("341502001", "外县镇")):
        create_region(None, code, name)
    branch = create_branch(
        None,
        name="外县网点",
        bank="外县农商银行",
        address="",
        county_code="341502",
        township_codes=["341502001"],
    )
    h = login("admin")
    assert client.patch("/api/v1/regions/341502001", json={}, headers=h).status_code == 404
    assert client.patch("/api/v1/regions/341502001", json={"name": "改"}, headers=h).status_code == 404
    assert client.patch(f"/api/v1/branches/{branch.id}", json={"name": 5}, headers=h).status_code == 404
    assert db.session.get(Region, "341502001").name == "外县镇" and events("region.rename") == []


def test_branches_show_their_townships_and_active_officers(client, login):
    items = client.get("/api/v1/branches", headers=login("admin")).json["items"]
    assert [b["active_officers"] for b in items] == [2, 1]
    assert "341503002" in items[1]["townships"]


def test_a_branch_is_added_for_a_new_township_and_a_township_served_already_is_422(client, login):
    h = login("admin")
    client.post("/api/v1/regions", json={"code": "341503012", "name": "新设镇"}, headers=h)
    body = {
        "name": "新设镇支行",
        "bank": "安徽裕安农村商业银行",
        "address": "新设镇 1 号",
        "townships": ["341503012"],
    }
    r = client.post("/api/v1/branches", json=body, headers=h)
    assert r.status_code == 201 and r.json["townships"] == ["341503012"] and r.json["active_officers"] == 0
    assert events("branch.create")[-1].after["townships"] == ["341503012"]
    before = db.session.scalar(select(func.count(Branch.id)))
    r = client.post("/api/v1/branches", json={**body, "townships": ["341503001"]}, headers={**h, **EN})
    assert r.status_code == 422 and "already have a branch" in str(r.json["errors"]["townships"])
    r = client.post("/api/v1/branches", json={**body, "bank": ""}, headers={**h, **EN})
    assert r.status_code == 422 and "bank" in r.json["errors"]
    assert db.session.scalar(select(func.count(Branch.id))) == before


def test_moving_a_township_between_branches_is_one_audited_change(client, login):
    h = login("admin")
    a, b = client.get("/api/v1/branches", headers=h).json["items"]
    moved = [t for t in a["townships"] if t != "341503001"][:1]
    r = client.patch(
        f"/api/v1/branches/{a['id']}",
        json={"townships": [t for t in a["townships"] if t not in moved]},
        headers=h,
    )
    assert r.status_code == 200
    r = client.patch(f"/api/v1/branches/{b['id']}", json={"townships": b["townships"] + moved}, headers=h)
    assert r.status_code == 200 and set(moved) <= set(r.json["townships"])
    last = events("branch.update")[-1]
    assert last.before == {"townships": b["townships"]} and set(last.after["townships"]) == set(
        b["townships"] + moved
    )


def test_a_branch_whose_only_officer_is_deactivated_is_shown_without_officers(client, login, users):
    h = login("admin")
    client.patch(f"/api/v1/users/{users['officer3'].id}", json={"active": False}, headers=h)
    items = client.get("/api/v1/branches", headers=h).json["items"]
    assert [b["active_officers"] for b in items] == [2, 0]
