"""Applying for, reading and listing loans through the API: eligibility, grades, rates, the schedule."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from loanflow.core import clock, paging
from loanflow.core.domain.policy import default_policy_document
from loanflow.core.regions import BranchTownship
from loanflow.extensions import db
from loanflow.households.testing.factories import demo_id_number
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import (
    business_date,
    deposit,
    drive,
    fresh_households,
    open_loan,
    scores_totalling,
)
from loanflow.policy.services import publish_policy

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases

VILLAGE_A = "341503001001"
RNG = random.Random(0)
HEAD = demo_id_number(RNG, date(1986, 5, 1), 901)  # 39 on 2026-03-10
ELDER = demo_id_number(RNG, date(1958, 6, 1), 902)  # 67
CHILD = demo_id_number(RNG, date(2009, 8, 1), 903)  # 16


def register(client, headers, status="not_out", monitoring="none") -> int:
    members = [
        {"name": "陈大山", "id_number": HEAD, "relation": "head", "labour": "normal", "phone": "13800000001"},
        {"name": "陈老汉", "id_number": ELDER, "relation": "parent", "labour": "weak"},
        {"name": "陈小妹", "id_number": CHILD, "relation": "child", "labour": "none"},
    ]
    body = {
        "village_code": VILLAGE_A,
        "status": status,
        "monitoring": monitoring,
        "monitoring_set_on": None if monitoring == "none" else "2025-06-30",
        "attribute": "general",
        "main_cause": "no_funds",
        "income_per_head": "5000.00",
        "account_type": "card",
        "bank_account": "6217991234567890124",
        "bank_name": "裕安区农村商业银行",
        "members": members,
    }
    r = client.post("/api/v1/households", json=body, headers=headers)
    assert r.status_code == 201, r.json
    return r.json["id"]


def application(household_id: int, **overrides) -> dict:
    body = {
        "household_id": household_id,
        "borrower_id_number": HEAD,
        "amount": "30000.00",
        "term_months": 24,
        "purpose": "livestock",
        "purpose_detail": "养殖肉牛 5 头",
        "consent": True,
    }
    body.update(overrides)
    return body


def apply(client, login, body, user="clerk"):
    return client.post("/api/v1/loans", json=body, headers=login(user))


def test_a_clerk_applies_and_sees_the_case_with_labels_deadline_and_allowed_actions(client, login, funded):
    hid = register(client, login("clerk"))
    r = apply(client, login, application(hid))
    assert r.status_code == 201, r.json
    loan = r.json
    assert loan["state"] == "applied" and loan["state_label"] == "已申请"
    assert loan["case_number"].startswith("DK-2026-")
    assert loan["requested_amount"] == "30000.00"
    assert loan["purpose_label"] == "养殖"
    assert loan["borrower_id_number"] == HEAD
    assert loan["stage_due_on"] == "2026-03-17" and loan["stalled"] is False
    assert loan["allowed_actions"] == ["withdraw"]
    assert loan["rate"] is None and loan["due_now"] is None and loan["payoff"] is None
    assert loan["timeline"][0]["action"] == "apply" and loan["timeline"][0]["role"] == "clerk"
    officer_view = client.get(f"/api/v1/loans/{loan['id']}", headers=login("officer")).json
    assert officer_view["allowed_actions"] == ["rate", "reject"]


ELIGIBILITY = [
    ({"borrower_id_number": ELDER}, "borrower.too_old", "borrower_id_number", "67"),
    ({"borrower_id_number": CHILD}, "borrower.too_young", "borrower_id_number", "16"),
    (
        {"borrower_id_number": HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")},
        "id_number.check_character",
        "borrower_id_number",
        "",
    ),
    ({"purpose": "wedding"}, "loan.purpose_not_allowed", "purpose", "wedding"),
    ({"amount": "50000.01"}, "loan.amount_above_max", "amount", "50000.00"),
    ({"term_months": 37}, "loan.term_too_long", "term_months", "36"),
    ({"term_months": 0}, "loan.term_too_short", "term_months", "1"),
    ({"consent": False}, "loan.consent_missing", "consent", ""),
]


@pytest.mark.parametrize(("overrides", "code", "field", "figure"), ELIGIBILITY)
def test_each_eligibility_rule_is_a_422_naming_the_field_and_the_reason(
    client, login, funded, overrides, code, field, figure
):
    hid = register(client, login("clerk"))
    r = apply(client, login, application(hid, **overrides))
    assert r.status_code == 422, r.json
    assert [x["code"] for x in r.json["reasons"]] == [code]
    assert field in r.json["errors"]
    assert figure in r.json["errors"][field][0]
    assert db.session.scalar(select(func.count(Loan.id))) == 0


def test_a_borrower_from_another_household_is_not_a_member(client, login, funded):
    hid = register(client, login("clerk"))
    other = fresh_households(VILLAGE_A)[0]
    r = apply(client, login, application(hid, borrower_id_number=other.head.id_number))
    assert r.status_code == 422
    assert [x["code"] for x in r.json["reasons"]] == ["borrower.not_member"]


def test_every_failed_rule_is_listed_at_once_in_chinese_and_english(client, login, funded):
    hid = register(client, login("clerk"))
    body = application(hid, borrower_id_number=ELDER, purpose="wedding", amount="60000.00", consent=False)
    r = apply(client, login, body)
    codes = [x["code"] for x in r.json["reasons"]]
    assert codes == [
        "borrower.too_old",
        "loan.purpose_not_allowed",
        "loan.amount_above_max",
        "loan.consent_missing",
    ]
    assert all(x["zh"] and x["en"] for x in r.json["reasons"])
    english = client.post("/api/v1/loans", json=body, headers={**login("clerk"), "Accept-Language": "en"})
    assert "above the policy maximum of 65" in english.json["detail"]


def test_a_household_outside_the_admitted_statuses_is_refused(client, login, funded):
    document = default_policy_document()
    document["loan"]["admitted_statuses"] = ["not_out"]
    document["loan"]["admitted_monitoring"] = ["hardship"]
    publish_policy(None, document, "narrower")
    hid = register(client, login("clerk"), status="out")
    r = apply(client, login, application(hid))
    assert [x["code"] for x in r.json["reasons"]] == ["household.not_admitted"]
    monitored = fresh_households(VILLAGE_A)[0]
    db.session.execute(
        update(type(monitored))
        .where(type(monitored).id == monitored.id)
        .values(status="out", monitoring="hardship")
    )
    db.session.commit()
    r = apply(client, login, application(monitored.id, borrower_id_number=monitored.head.id_number))
    assert r.status_code == 201, r.json


def test_a_second_open_loan_of_the_household_is_refused_and_a_bad_one_bars_it_too(client, login, funded):
    hid = register(client, login("clerk"))
    first = apply(client, login, application(hid)).json
    r = apply(client, login, application(hid, amount="1000.00"))
    assert r.status_code == 422
    assert [x["code"] for x in r.json["reasons"]] == ["household.open_loan"]
    db.session.execute(update(Loan).where(Loan.id == first["id"]).values(state="overdue"))
    db.session.commit()
    r = apply(client, login, application(hid, amount="1000.00"))
    assert [x["code"] for x in r.json["reasons"]] == ["household.open_loan", "household.bad_loan"]
    assert db.session.scalar(select(func.count(Loan.id))) == 1


def test_the_county_fund_leverage_refuses_with_the_figures(client, login, demo):
    deposit("341503", "1000.00")  # ten times: 10,000.00 may be lent
    hid = register(client, login("clerk"))
    r = apply(client, login, application(hid, amount="10000.01"))
    assert [x["code"] for x in r.json["reasons"]] == ["fund.leverage_exceeded"]
    assert "10000.00" in r.json["errors"]["amount"][0] and "10000.01" in r.json["errors"]["amount"][0]
    assert apply(client, login, application(hid, amount="10000.00")).status_code == 201


def test_only_a_clerk_of_the_households_region_applies(client, login, funded, household):
    body = application(household.id, borrower_id_number=household.head.id_number)
    assert apply(client, login, body, "clerk2").status_code == 404
    assert apply(client, login, body, "officer").status_code == 403
    assert apply(client, login, body, "supervisor").status_code == 403


@pytest.mark.parametrize(
    "body_change",
    [{"amount": 30000}, {"amount": "30000.001"}, {"term_months": "24"}, {"consent": "yes"}, {"extra": 1}],
)
def test_malformed_bodies_are_refused_naming_the_field(client, login, funded, household, body_change):
    body = application(household.id, borrower_id_number=household.head.id_number) | body_change
    r = apply(client, login, body)
    assert r.status_code == 422
    assert next(iter(body_change)) in r.json["errors"]


def test_a_retried_application_with_the_same_key_opens_one_case(client, login, funded, household):
    body = application(household.id, borrower_id_number=household.head.id_number)
    headers = {**login("clerk"), "Idempotency-Key": "apply-1"}
    first = client.post("/api/v1/loans", json=body, headers=headers)
    again = client.post("/api/v1/loans", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    other = client.post("/api/v1/loans", json=body | {"amount": "1.00"}, headers=headers)
    assert other.status_code == 422
    assert db.session.scalar(select(func.count(Loan.id))) == 1


GRADES = [
    (59, "rejected", None, None),
    (60, "rated", "2star", "20000.00"),
    (69, "rated", "2star", "20000.00"),
    (70, "rated", "3star", "30000.00"),
    (79, "rated", "3star", "30000.00"),
    (80, "rated", "4star", "40000.00"),
    (89, "rated", "4star", "40000.00"),
    (90, "rated", "5star", "50000.00"),
    (100, "rated", "5star", "50000.00"),
]


@pytest.mark.parametrize(("score", "state", "grade", "limit"), GRADES)
def test_the_grade_and_limit_follow_the_score_at_every_band_edge(
    client, login, funded, household, score, state, grade, limit
):
    loan = open_loan(funded["clerk"], household, "50000.00", 24)
    r = client.post(
        f"/api/v1/loans/{loan.id}/rate", json={"scores": scores_totalling(score)}, headers=login("officer")
    )
    assert r.status_code == 200, r.json
    assert r.json["state"] == state
    assert r.json["rating"]["score"] == score
    assert r.json["rating"]["grade"] == grade and r.json["rating"]["limit"] == limit
    if state == "rejected":
        assert str(score) in r.json["closing_reason"] and str(score) in r.json["timeline"][-1]["reason"]


def test_bad_scores_are_refused_per_item(client, login, funded, household):
    loan = open_loan(funded["clerk"], household)
    scores = scores_totalling(80) | {"integrity": 26, "luck": 3}
    del scores["assets"]
    r = client.post(f"/api/v1/loans/{loan.id}/rate", json={"scores": scores}, headers=login("officer"))
    assert r.status_code == 422
    assert {"scores.integrity", "scores.luck", "scores.assets"} <= set(r.json["errors"])


@pytest.mark.parametrize(("term", "rate"), [(1, "0.0300"), (12, "0.0300"), (13, "0.0350"), (36, "0.0350")])
def test_the_rate_comes_from_the_policy_table_by_term(client, login, funded, household, term, rate):
    loan = drive(open_loan(funded["clerk"], household, "20000.00", 36), "rated", officer=funded["officer"])
    r = client.post(
        f"/api/v1/loans/{loan.id}/credit",
        json={"amount": "20000.00", "term_months": term},
        headers=login("officer"),
    )
    assert r.status_code == 200, r.json
    assert r.json["rate"] == rate and r.json["term_months"] == term


def test_credit_is_capped_by_the_grade_limit_and_the_request(client, login, funded, household):
    loan = drive(
        open_loan(funded["clerk"], household, "25000.00", 12), "rated", officer=funded["officer"], score=65
    )
    url, headers = f"/api/v1/loans/{loan.id}/credit", login("officer")
    r = client.post(url, json={"amount": "20000.01", "term_months": 12}, headers=headers)
    assert r.status_code == 422
    assert "20000.00" in r.json["errors"]["amount"][0]  # the grade limit, below the 25000.00 asked
    r = client.post(url, json={"amount": "20000.00", "term_months": 13}, headers=headers)
    assert r.status_code == 422 and "term_months" in r.json["errors"]
    assert (
        client.post(url, json={"amount": "20000.00", "term_months": 12}, headers=headers).status_code == 200
    )


def test_disbursement_dates_may_not_be_in_the_future_nor_before_the_credit(client, login, funded, household):
    with business_date(date(2026, 3, 2)):
        loan = drive(
            open_loan(funded["clerk"], household, "10000.00", 12), "credited", officer=funded["officer"]
        )
    url, headers = f"/api/v1/loans/{loan.id}/disburse", login("officer2")
    assert client.post(url, json={"date": "2026-03-11"}, headers=headers).status_code == 422
    assert client.post(url, json={"date": "2026-03-01"}, headers=headers).status_code == 422
    r = client.post(url, json={"date": "2026-03-05"}, headers=headers)
    assert r.status_code == 200 and r.json["disbursed_on"] == "2026-03-05"


def test_the_disbursed_loan_shows_its_schedule_and_money_as_strings(client, login, funded, household):
    loan = drive(
        open_loan(funded["clerk"], household, "10000.00", 12),
        "disbursed",
        officer=funded["officer"],
        disburser=funded["officer2"],
    )
    r = client.get(f"/api/v1/loans/{loan.id}", headers=login("clerk"))
    data = r.json
    assert data["state_label"] == "已放款" and data["rate"] == "0.0300"
    assert data["schedule"]["lines"] == 5 and data["schedule"]["total_interest"] == "304.17"
    assert data["maturity_on"] == "2027-03-10"
    assert data["bank_account"] == household.bank_account
    assert data["due_now"] == "0.00" and data["payoff"] == "10000.00"
    lines = client.get(f"/api/v1/loans/{loan.id}/schedule", headers=login("clerk")).json["lines"]
    assert lines[0] == {
        "seq": 1,
        "start_date": "2026-03-10",
        "due_date": "2026-03-20",
        "opening_principal": "10000.00",
        "principal": "0.00",
        "interest": "8.33",
        "subsidy": "8.33",
        "household_interest": "0.00",
        "household_due": "0.00",
        "rate": "0.0300",
        "paid": "0.00",
        "still_due": "0.00",
    }
    assert lines[-1]["principal"] == "10000.00"
    supervisor = client.get(f"/api/v1/loans/{loan.id}", headers=login("supervisor")).json
    assert supervisor["bank_account"] != household.bank_account and supervisor["allowed_actions"] == []


def test_the_list_filters_by_state_household_village_and_stalled_and_pages(client, login, funded):
    households = fresh_households(VILLAGE_A)
    with business_date(clock.today() - timedelta(days=20)):
        late = open_loan(funded["clerk"], households[0])
    fresh = open_loan(funded["clerk"], households[1])
    rated = drive(open_loan(funded["clerk"], households[2]), "rated", officer=funded["officer"])
    get = lambda q, user="clerk": client.get(f"/api/v1/loans?{q}", headers=login(user)).json  # noqa: E731
    assert get("")["total"] == 3
    assert [x["id"] for x in get("state=applied")["items"]] == [fresh.id, late.id]
    assert [x["id"] for x in get("stalled=true")["items"]] == [late.id]
    assert get("stalled=true")["items"][0]["stalled"] is True
    assert [x["id"] for x in get(f"household_id={rated.household_id}")["items"]] == [rated.id]
    assert get("village=341503001")["total"] == 3 and get("village=341503002")["total"] == 0
    page = get("per_page=2&page=2")
    assert page["total"] == 3 and len(page["items"]) == 1 and page["page"] == 2
    assert get("", "clerk2")["total"] == 0 and get("", "officer3")["total"] == 0
    assert get("", "officer")["total"] == 3
    assert "*" in get("")["items"][0]["borrower_id_number"]
    assert client.get("/api/v1/loans?state=lost", headers=login("clerk")).status_code == 422


def test_a_list_asked_again_answers_for_the_day_the_cap_and_the_townships_of_that_request(
    client, login, funded, monkeypatch
):
    """The list's statements are built once per scope and filters (issue 14); asked again on a later
    business date, under another count cap, or by an officer whose branch now serves other
    townships, the same request answers for what holds now."""
    households = fresh_households(VILLAGE_A)
    first, second = (open_loan(funded["clerk"], h) for h in households[:2])
    get = lambda q, user="officer": client.get(f"/api/v1/loans?{q}", headers=login(user)).json  # noqa: E731
    assert get("stalled=true")["items"] == []
    with business_date(clock.today() + timedelta(days=30)):  # both past the applied stage's deadline
        assert [x["id"] for x in get("stalled=true")["items"]] == [second.id, first.id]
    assert get("stalled=true")["items"] == []

    assert (get("per_page=1")["total"], get("per_page=1")["total_capped"]) == (2, False)
    monkeypatch.setattr(paging, "COUNT_CAP", 0)  # count no further than the page
    assert (get("per_page=1")["total"], get("per_page=1")["total_capped"]) == (1, True)

    officer = funded["officer"]
    assert get("")["total"] == 2
    db.session.execute(
        BranchTownship.__table__.delete().where(
            BranchTownship.branch_id == officer.branch_id, BranchTownship.township_code == VILLAGE_A[:9]
        )
    )
    db.session.commit()
    assert get("")["items"] == []  # the branch no longer serves the loans' township
