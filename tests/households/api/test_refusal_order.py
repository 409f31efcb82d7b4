"""DOMAIN.md's order when several refusals apply: 404 (outside the region) → 403 (role, four eyes) →
409 (state) → 422 (input). Before, the body was checked first: a bad body about a household of
another region answered 422, telling the caller it exists."""

from __future__ import annotations

from sqlalchemy import select

from loanflow.extensions import db
from loanflow.households.models import AccountChange, Household

VILLAGE_A = "341503001001"  # the demo clerk's village
VILLAGE_B = "341503002001"  # clerk2's
BAD_PATCH = {"status": "flying", "income_per_head": "lots"}
BAD_ACCOUNT = {"account_type": "nonsense"}
BAD_DECISION = {"confirm": "perhaps"}


def _household(village: str) -> int:
    return db.session.scalar(select(Household.id).where(Household.village_code == village).limit(1))


def test_patch_household_answers_404_then_403_before_a_bad_body(client, login):
    mine, theirs = _household(VILLAGE_A), _household(VILLAGE_B)
    assert (
        client.patch(f"/api/v1/households/{theirs}", json=BAD_PATCH, headers=login("clerk")).status_code
        == 404
    )
    assert (
        client.patch(f"/api/v1/households/{mine}", json=BAD_PATCH, headers=login("supervisor")).status_code
        == 403
    )
    assert (
        client.patch(f"/api/v1/households/{mine}", json=BAD_PATCH, headers=login("officer")).status_code
        == 403
    )
    assert (
        client.patch(f"/api/v1/households/{mine}", json=BAD_PATCH, headers=login("clerk")).status_code == 422
    )


def test_an_account_change_request_answers_404_then_403_before_a_bad_body(client, login):
    mine, theirs = _household(VILLAGE_A), _household(VILLAGE_B)
    url = "/api/v1/households/{}/account-changes"
    assert client.post(url.format(theirs), json=BAD_ACCOUNT, headers=login("clerk")).status_code == 404
    assert client.post(url.format(mine), json=BAD_ACCOUNT, headers=login("supervisor")).status_code == 403
    assert client.post(url.format(mine), json=BAD_ACCOUNT, headers=login("clerk")).status_code == 422


def test_an_account_change_decision_answers_404_403_409_before_a_bad_body(client, login):
    mine = _household(VILLAGE_A)
    asked = client.post(
        f"/api/v1/households/{mine}/account-changes",
        json={"account_type": "card", "bank_account": "6217991234567890124", "bank_name": "裕安农商银行"},
        headers=login("clerk"),
    )
    assert asked.status_code == 201, asked.json
    url = f"/api/v1/households/{mine}/account-changes/{asked.json['id']}"
    assert client.post(url, json=BAD_DECISION, headers=login("clerk2")).status_code == 404
    assert client.post(url, json=BAD_DECISION, headers=login("clerk")).status_code == 403  # four eyes
    assert client.post(url, json=BAD_DECISION, headers=login("supervisor")).status_code == 403
    assert client.post(url, json=BAD_DECISION, headers=login("approver")).status_code == 422
    db.session.get(AccountChange, asked.json["id"]).state = "rejected"
    db.session.commit()
    assert client.post(url, json=BAD_DECISION, headers=login("approver")).status_code == 409
