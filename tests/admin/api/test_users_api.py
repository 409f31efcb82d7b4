"""Users through the API (admin): list, create, change, deactivate, reset; the refusals; the audit events."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loanflow.accounts.models import User
from loanflow.audit.models import AuditEvent
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import drive, fill_fund, fresh_households, open_loan
from loanflow.loans.workflow import allowed_actions

EN = {"Accept-Language": "en"}

OFFICER_B = {
    "username": "officer4",
    "full_name": "孙信贷",
    "role": "bank_officer",
    "region": "341503",
    "password": "Tea-garden-2026",
}


def branch_b() -> int:
    return db.session.scalar(select(User.branch_id).where(User.username == "officer3"))


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_the_admin_lists_users_searched_and_filtered(client, login):
    h = login("admin")
    officers = client.get("/api/v1/users?role=bank_officer", headers=h).json["items"]
    assert [u["username"] for u in officers] == ["officer", "officer2", "officer3"]
    assert officers[0]["role_label"] == "信贷员" and officers[0]["branch_name"]
    found = client.get("/api/v1/users", query_string={"q": "审核"}, headers=h).json["items"]
    assert {u["username"] for u in found} == {"approver", "approver3"}
    township = client.get("/api/v1/users?region=341503001", headers=h).json["items"]
    assert {u["username"] for u in township} == {"clerk", "approver"}
    assert client.get("/api/v1/users?active=false", headers=h).json["items"] == []
    assert "password_hash" not in officers[0] and "password" not in officers[0]


def dead_end(users) -> Loan:
    """The demo's dead end (DK-2026-000006 in the full demo): a loan of township B credited by
    officer3, the only officer of branch B, whom four eyes forbid to disburse it."""
    fill_fund(users)
    loan = open_loan(users["clerk2"], fresh_households(users["clerk2"].region_code)[0])
    return drive(loan, "credited", officer=users["officer3"])


def test_an_officer_created_for_branch_b_may_disburse_the_dead_end_loan(client, login, users):
    loan = dead_end(users)
    assert loan.state == "credited" and "disburse" not in allowed_actions(users["officer3"], loan)
    r = client.post("/api/v1/users", json={**OFFICER_B, "branch_id": branch_b()}, headers=login("admin"))
    assert r.status_code == 201, r.json
    assert r.json["must_change_password"] is True and r.json["branch_id"] == branch_b()
    officer4 = db.session.get(User, r.json["id"])
    assert "disburse" in allowed_actions(officer4, loan)
    (event,) = events("user.create")[-1:]
    assert event.actor == "admin" and event.after["username"] == "officer4"
    assert event.after["role"] == "bank_officer" and "password_hash" not in event.after


def test_a_clerk_may_not_list_create_or_change_users(client, login, users):
    h = login("clerk")
    before = user_count()
    assert client.get("/api/v1/users", headers=h).status_code == 403
    assert client.post("/api/v1/users", json={**OFFICER_B, "role": "boss"}, headers=h).status_code == 403
    r = client.patch(f"/api/v1/users/{users['clerk2'].id}", json={"active": False}, headers=h)
    assert r.status_code == 403
    assert user_count() == before and db.session.get(User, users["clerk2"].id).active


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"role": "boss"}, "role", "Must be one of"),
        ({"password": "short-pw"}, "password", "at least 10"),
        ({"password": "officer4-secret"}, "password", "username"),
        ({"password": "1234567890"}, "password", "most common"),
        ({"region": "341503999"}, "region", "No region"),
        ({}, "branch", "belongs to a branch"),
        ({"username": "officer3", "branch_id": None}, "username", "taken"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_nothing_is_written(client, login, body, field, words):
    before, written = user_count(), len(events("user.create"))
    r = client.post("/api/v1/users", json={**OFFICER_B, **body}, headers={**login("admin"), **EN})
    assert r.status_code == 422, r.json
    assert field in r.json["errors"], r.json
    assert words in " ".join(str(m) for m in r.json["errors"][field])
    assert user_count() == before and len(events("user.create")) == written


def test_deactivating_a_user_stops_their_token_at_once_and_reactivating_is_audited(client, login, users):
    officer3 = login("officer3")
    assert client.get("/api/v1/loans", headers=officer3).status_code == 200
    uid = users["officer3"].id
    r = client.patch(f"/api/v1/users/{uid}", json={"active": False}, headers=login("admin"))
    assert r.status_code == 200 and r.json["active"] is False
    assert client.get("/api/v1/loans", headers=officer3).status_code == 401
    (off,) = events("user.deactivate")
    assert off.before == {"active": True} and off.after == {"active": False}
    r = client.patch(f"/api/v1/users/{uid}", json={"active": True}, headers=login("admin"))
    assert r.json["active"] is True
    assert events("user.reactivate")[0].after == {"active": True}
    assert client.get("/api/v1/loans", headers=officer3).status_code == 401  # the old token stays revoked


def test_a_role_and_region_change_is_one_event_with_before_and_after(client, login, users):
    uid = users["clerk2"].id
    r = client.patch(
        f"/api/v1/users/{uid}", json={"role": "approver", "region": "341503002"}, headers=login("admin")
    )
    assert r.status_code == 200 and r.json["role"] == "approver" and r.json["region"] == "341503002"
    (event,) = events("user.update")
    assert event.before == {"region_code": "341503002001", "role": "clerk"}
    assert event.after == {"region_code": "341503002", "role": "approver"}


def test_a_branch_for_anyone_but_an_officer_and_a_bad_password_reset_are_422(client, login, users):
    h = login("admin")
    r = client.patch(f"/api/v1/users/{users['clerk'].id}", json={"branch_id": branch_b()}, headers=h)
    assert r.status_code == 422 and "branch" in r.json["errors"]
    r = client.patch(f"/api/v1/users/{users['clerk'].id}", json={"password": "clerk12345"}, headers=h)
    assert r.status_code == 422 and "password" in r.json["errors"]
    r = client.patch(f"/api/v1/users/{users['clerk'].id}", json={"colour": "red"}, headers=h)
    assert r.status_code == 422 and "colour" in r.json["errors"]
    assert events("user.update") == [] and events("user.password_reset") == []


def test_the_admin_may_not_deactivate_themself(client, login, users):
    r = client.patch(f"/api/v1/users/{users['admin'].id}", json={"active": False}, headers=login("admin"))
    assert r.status_code == 409
    assert db.session.get(User, users["admin"].id).active


def test_a_password_reset_forces_a_change_and_no_event_holds_a_hash(client, login, users):
    uid = users["clerk"].id
    r = client.patch(f"/api/v1/users/{uid}", json={"password": "Fresh-start-77"}, headers=login("admin"))
    assert r.status_code == 200 and r.json["must_change_password"] is True
    (event,) = events("user.password_reset")
    assert event.after == {"must_change_password": True, "password": "reset"}
    stored = db.session.get(User, uid).password_hash
    for e in db.session.scalars(select(AuditEvent)):
        assert stored not in str(e.before) + str(e.after)


def test_a_user_may_not_be_moved_to_another_county(client, login, users):
    from loanflow.accounts.services import create_region

    create_region(None, "341504", "金安区")
    r = client.patch(
        f"/api/v1/users/{users['clerk'].id}", json={"region": "341504"}, headers={**login("admin"), **EN}
    )
    assert r.status_code == 422 and "inside your county" in str(r.json["errors"]["region"])
    assert db.session.get(User, users["clerk"].id).region_code == "341503001001"
