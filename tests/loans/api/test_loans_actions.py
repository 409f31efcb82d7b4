"""Every loan action from every state for every role, through the API: 404 → 403 → 409 → 200."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import drive, open_loan, scores_totalling

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases

ACTIONS = ("rate", "credit", "disburse", "reject", "withdraw")
BODIES = {
    "rate": {"scores": None},
    "credit": {"amount": "20000.00", "term_months": 12},
    "disburse": {"date": "2026-03-10"},
    "reject": {"reason": "银行审查未通过"},
    "withdraw": {"reason": "农户撤回申请"},
}
# who may take each action, from which states (DOMAIN.md "States and actions")
MAY = {
    "rate": ("bank_officer", {"applied"}),
    "credit": ("bank_officer", {"rated"}),
    "disburse": ("bank_officer", {"credited"}),
    "reject": ("bank_officer", {"applied", "rated", "credited"}),
    "withdraw": ("clerk", {"applied", "rated", "credited"}),
}
# one user per role that sees the clerk's village; officer2 did not credit, so four eyes allows them
ACTOR = {"clerk": "clerk", "bank_officer": "officer2", "approver": "approver", "supervisor": "supervisor"}
OUTSIDERS = ("clerk2", "officer3", "admin")  # not in scope: 404 whatever the state
REACHED = ("applied", "rated", "credited", "disbursed", "rejected", "withdrawn")
FORCED = ("overdue", "recalled", "repaid", "compensated")  # reached by the money actions; set directly here


def body(action: str) -> dict:
    data = dict(BODIES[action])
    if action == "rate":
        data["scores"] = scores_totalling(85)
    return data


def loan_in(state: str, users, household) -> Loan:
    loan = open_loan(users["clerk"], household, "20000.00", 12)
    if state in ("rejected", "withdrawn"):
        return drive(loan, state, officer=users["officer"])
    if state in REACHED:
        return drive(loan, state, officer=users["officer"], disburser=users["officer2"])
    loan = drive(loan, "disbursed", officer=users["officer"], disburser=users["officer2"])
    db.session.execute(update(Loan).where(Loan.id == loan.id).values(state=state))
    db.session.commit()
    return loan


def expected(action: str, role: str, state: str) -> int:
    allowed_role, sources = MAY[action]
    if role != allowed_role:
        return 403
    return 200 if state in sources else 409


@pytest.mark.parametrize("state", REACHED + FORCED)
def test_refusals_come_in_the_order_404_403_409_and_write_nothing(state, client, login, funded, household):
    loan = loan_in(state, funded, household)
    version = loan.version
    for action in ACTIONS:
        for outsider in OUTSIDERS:
            r = client.post(f"/api/v1/loans/{loan.id}/{action}", json=body(action), headers=login(outsider))
            assert r.status_code == 404, (outsider, action, state)
        for role, username in ACTOR.items():
            want = expected(action, role, state)
            if want == 200:
                continue
            # a bad body is still refused for scope, role and state first
            r = client.post(f"/api/v1/loans/{loan.id}/{action}", json={"bogus": 1}, headers=login(username))
            assert r.status_code == want, (role, action, state, r.json)
            if want == 409:
                assert r.json["state"] == state
                assert action not in r.json["allowed_actions"]
                assert (
                    r.json["allowed_actions"]
                    == client.get(f"/api/v1/loans/{loan.id}", headers=login(username)).json["allowed_actions"]
                )
    db.session.expire_all()
    assert db.session.get(Loan, loan.id).version == version


OUTCOME = {
    "rate": "rated",
    "credit": "credited",
    "disburse": "disbursed",
    "reject": "rejected",
    "withdraw": "withdrawn",
}
SUCCESSES = [(a, s) for a in ACTIONS for s in REACHED if expected(a, MAY[a][0], s) == 200]


@pytest.mark.parametrize(("action", "state"), SUCCESSES)
def test_each_allowed_move_succeeds_and_shows_the_new_state(action, state, client, login, funded, household):
    loan = loan_in(state, funded, household)
    role = MAY[action][0]
    r = client.post(f"/api/v1/loans/{loan.id}/{action}", json=body(action), headers=login(ACTOR[role]))
    assert r.status_code == 200, r.json
    assert r.json["state"] == OUTCOME[action]
    assert r.json["timeline"][-1]["action"] == action
    assert r.json["timeline"][-1]["actor"] == ACTOR[role]


def test_a_clerk_of_another_village_does_not_see_the_loan(client, login, funded, household):
    loan = open_loan(funded["clerk"], household)
    assert client.get(f"/api/v1/loans/{loan.id}", headers=login("clerk2")).status_code == 404
    assert client.get(f"/api/v1/loans/{loan.id}/schedule", headers=login("clerk2")).status_code == 404
    r = client.post(f"/api/v1/loans/{loan.id}/withdraw", json={"reason": "x"}, headers=login("clerk2"))
    assert r.status_code == 404


def test_the_officer_who_credited_is_refused_disbursement_with_the_four_eyes_reason(
    client, login, funded, household
):
    loan = loan_in("credited", funded, household)
    r = client.get(f"/api/v1/loans/{loan.id}", headers=login("officer"))
    assert "disburse" not in r.json["allowed_actions"]
    assert (
        "disburse"
        in client.get(f"/api/v1/loans/{loan.id}", headers=login("officer2")).json["allowed_actions"]
    )
    r = client.post(f"/api/v1/loans/{loan.id}/disburse", json={}, headers=login("officer"))
    assert r.status_code == 403
    assert "四眼" in r.json["detail"]
    r = client.post(
        f"/api/v1/loans/{loan.id}/disburse", json={}, headers={**login("officer"), "Accept-Language": "en"}
    )
    assert "Four eyes" in r.json["detail"]


def test_an_unknown_action_is_not_found(client, login, funded, household):
    loan = open_loan(funded["clerk"], household)
    r = client.post(f"/api/v1/loans/{loan.id}/approve", json={}, headers=login("officer"))
    assert r.status_code == 404
