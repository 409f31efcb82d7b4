"""The subsidy state table through the API: every action × state × user gives 200, 403, 404 or 409.

Users: the clerk and the township approver of the case's village, the county
approver, a supervisor and a bank officer who see it; the other township's
clerk and approver and the admin, who do not.
"""

from datetime import date

import pytest

from loanflow.core.domain.workflows import SUBSIDY
from loanflow.subsidies.testing.factories import fresh_household, make_case

VILLAGE = "341503001001"
STATES = SUBSIDY.states
ACTIONS = ("verify", "publicize", "object", "approve", "disburse", "reject", "withdraw")
BODIES = {
    "verify": {"verified_quantity": "4", "note": "实地核验属实"},
    "publicize": {},
    "object": {"raised_by": "同村村民", "reason": "养殖数量不实"},
    "approve": {},
    "disburse": {"date": "2026-03-10", "payment_reference": "YA2026031001"},
    "reject": {"reason": "核验不符"},
    "withdraw": {"reason": "农户放弃"},
}
# an old case has its 公示 over (approval open on the business date 2026-03-10);
# a recent one is still in its period (objections open)
OLD, RECENT = date(2026, 2, 24), date(2026, 3, 5)
OUTSIDERS = ("clerk2", "approver3", "admin")
ONLOOKERS = ("supervisor", "officer")


def expected(user: str, action: str, state: str) -> int:
    if user in OUTSIDERS:
        return 404
    if user in ONLOOKERS:
        return 403
    step = SUBSIDY.step(action)
    if user == "clerk":
        if action != "withdraw":
            return 403
    elif action == "withdraw":
        return 403
    elif user == "approver":  # township level
        if action in ("approve", "disburse") or (action == "reject" and state == "approved"):
            return 403
    return 200 if state in step.sources else 409


def case_in(state, users, n, start=OLD):
    h = fresh_household(VILLAGE, f"测试户{n}")
    return make_case(
        h,
        state,
        start=start,
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
    )


@pytest.mark.parametrize("state", STATES)
def test_every_action_in_every_state_for_every_user(client, login, users, state):
    standing = case_in(state, users, 0)
    fresh = 1
    for action in ACTIONS:
        for user in ("clerk", "approver", "approver2", *ONLOOKERS, *OUTSIDERS):
            want = expected(user, action, state)
            case = standing
            if want == 200:
                case = case_in(state, users, fresh, RECENT if action == "object" else OLD)
                fresh += 1
            r = client.post(f"/api/v1/subsidies/{case.id}/{action}", json=BODIES[action], headers=login(user))
            assert r.status_code == want, (user, action, state, r.json)
            if want == 200:
                assert r.json["state"] == SUBSIDY.outcome(state, action)
            if want == 409:
                assert "allowed_actions" in r.json and r.json["state"] == state
    r = client.get(f"/api/v1/subsidies/{standing.id}", headers=login("approver2"))
    assert r.json["state"] == state and r.json["version"] == standing.version


def test_allowed_actions_are_what_the_caller_may_do_now(client, login, users):
    case = case_in("publicized", users, 0)
    url = f"/api/v1/subsidies/{case.id}"
    assert client.get(url, headers=login("clerk")).json["allowed_actions"] == ["withdraw"]
    assert client.get(url, headers=login("approver")).json["allowed_actions"] == ["reject"]
    county = client.get(url, headers=login("approver2")).json
    assert county["allowed_actions"] == ["approve", "reject"]
    assert county["allowed_actions_labels"] == ["审批", "拒绝"]
    assert client.get(url, headers=login("supervisor")).json["allowed_actions"] == []
    running = case_in("publicized", users, 1, RECENT)
    shown = client.get(f"/api/v1/subsidies/{running.id}", headers=login("approver2")).json
    assert shown["allowed_actions"] == ["object", "reject"]


def test_refusals_come_in_the_order_404_403_409_422(client, login, users):
    case = case_in("approved", users, 0)
    bad = {"verified_quantity": 5, "surprise": True}
    url = f"/api/v1/subsidies/{case.id}/verify"
    assert client.post(url, json=bad, headers=login("approver3")).status_code == 404
    assert client.post(url, json=bad, headers=login("clerk")).status_code == 403
    r = client.post(url, json=bad, headers=login("approver"))
    assert r.status_code == 409 and r.json["allowed_actions"] == []
    applied = case_in("applied", users, 1)
    r = client.post(f"/api/v1/subsidies/{applied.id}/verify", json=bad, headers=login("approver"))
    assert r.status_code == 422
    assert set(r.json["errors"]) == {"verified_quantity", "surprise"}


def test_a_township_approver_is_told_why_approving_is_not_theirs(client, login, users):
    case = case_in("publicized", users, 0)
    r = client.post(f"/api/v1/subsidies/{case.id}/approve", json={}, headers=login("approver"))
    assert r.status_code == 403
    assert "县级" in r.json["detail"]
    r = client.post(
        f"/api/v1/subsidies/{case.id}/approve",
        json={},
        headers={**login("approver"), "Accept-Language": "en"},
    )
    assert "county-level" in r.json["detail"]


def test_an_unknown_action_is_not_found(client, login, users):
    case = case_in("applied", users, 0)
    r = client.post(f"/api/v1/subsidies/{case.id}/pay-twice", json={}, headers=login("approver2"))
    assert r.status_code in (404, 405)
