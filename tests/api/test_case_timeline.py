"""A case's timeline reads the same for a subsidy and a loan: who, in which role, did what, from which state to which."""

from __future__ import annotations

from loanflow.audit import services as audit
from loanflow.audit.schemas import timeline_json
from loanflow.extensions import db
from loanflow.subsidies.testing.factories import fresh_household

VILLAGE = "341503001001"
KEYS = {
    "at",
    "actor",
    "actor_name",
    "role",
    "role_label",
    "action",
    "action_label",
    "reason",
    "state_before",
    "state_after",
}


def test_a_subsidy_timeline_names_the_role_the_action_and_the_states_in_chinese_and_english(client, login):
    h = fresh_household(VILLAGE, "陈有田")
    body = {"household_id": h.id, "industry": "kiwi", "quantity": "3", "consent": True}
    case_id = client.post("/api/v1/subsidies", json=body, headers=login("clerk")).json["id"]
    url = f"/api/v1/subsidies/{case_id}"
    r = client.post(
        url + "/verify", json={"verified_quantity": "2.5", "note": "实地丈量"}, headers=login("approver")
    )
    assert r.status_code == 200, r.json
    applied, verified = r.json["timeline"]
    assert set(verified) == KEYS
    assert (applied["role_label"], applied["action_label"], applied["state_after"]) == (
        "经办员",
        "申报",
        "applied",
    )
    assert verified["actor"] == "approver" and verified["role_label"] == "扶贫办审核员"
    assert (applied["actor_name"], verified["actor_name"]) == ("王经办", "杨审核")  # people, not logins
    assert (verified["action"], verified["action_label"]) == ("verify", "核验")
    assert (verified["state_before"], verified["state_after"], verified["reason"]) == (
        "applied",
        "verified",
        "实地丈量",
    )
    english = client.get(url, headers={**login("approver"), "Accept-Language": "en"}).json["timeline"][-1]
    assert (english["role_label"], english["action_label"]) == ("Poverty-office approver", "Verify")


def test_a_loan_timeline_comes_in_the_same_shape_as_a_subsidy_timeline(app, users):
    audit.record(users["clerk"], "loan.apply", "loan", 7, chain="341503", after={"state": "applied"})
    audit.record(
        users["officer"],
        "loan.reject",
        "loan",
        7,
        chain="341503",
        before={"state": "applied"},
        after={"state": "rejected"},
        reason="评分不足",
    )
    db.session.commit()
    applied, rejected = timeline_json("loan", 7, "zh")
    assert set(applied) == set(rejected) == KEYS
    assert (applied["action"], applied["action_label"], applied["role_label"]) == (
        "apply",
        "申请贷款",
        "经办员",
    )
    assert (applied["state_before"], applied["state_after"]) == (None, "applied")
    assert (rejected["action_label"], rejected["role_label"], rejected["reason"]) == (
        "拒绝",
        "信贷员",
        "评分不足",
    )
    assert (rejected["state_before"], rejected["state_after"]) == ("applied", "rejected")
