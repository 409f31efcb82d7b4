"""The household register through the API: validation, one person one household, scoping, masking."""

from __future__ import annotations

import copy

import pytest

from loanflow.audit.models import AuditEvent
from loanflow.extensions import db
from loanflow.households.models import Household, Member

VILLAGE_A = "341503001001"  # the demo clerk's village
CARD = "6217991234567890124"  # passes the Luhn check


def household(**overrides) -> dict:
    body = {
        "village_code": VILLAGE_A,
        "address": "3组12号",
        "status": "not_out",
        "monitoring": "none",
        "attribute": "general",
        "main_cause": "illness",
        "secondary_causes": ["no_funds"],
        "income_per_head": "4500.00",
        "account_type": "card",
        "bank_account": CARD,
        "bank_name": "裕安区农村商业银行",
        "members": [
            {
                "name": "张三",
                "id_number": "11010519491231002X",
                "relation": "head",
                "labour": "normal",
                "phone": "13800000000",
            },
        ],
    }
    body.update(overrides)
    return body


def post(client, headers, body):
    return client.post("/api/v1/households", json=body, headers=headers)


def test_a_clerk_registers_a_household_and_sees_every_code_with_its_chinese_label(client, login):
    r = post(client, login("clerk"), household())
    assert r.status_code == 201, r.json
    assert r.json["status"] == "not_out" and r.json["status_label"] == "未脱贫"
    assert r.json["attribute_label"] == "一般户"
    assert r.json["members"][0]["relation_label"] == "户主"
    assert r.json["members"][0]["birth_date"] == "1949-12-31"
    assert r.json["members"][0]["sex"] == "female"
    assert r.json["income_per_head"] == "4500.00"


@pytest.mark.parametrize(
    "id_number,reason",
    [
        ("110105194912310021", "校验"),  # wrong check character
        ("11010519490230002X"[:17] + "X", None),  # 30 February: reason checked below
        ("1101051949123100", "18"),  # 16 characters
        ("11010519491231002", "18"),  # 17 characters
        ("11010519491231002X1", "18"),  # 19 characters
    ],
)
def test_a_bad_id_number_is_refused_naming_the_member_field(client, login, id_number, reason):
    body = household(
        members=[{"name": "张三", "id_number": id_number, "relation": "head", "labour": "normal"}]
    )
    r = post(client, login("clerk"), body)
    assert r.status_code == 422
    assert r.headers["Content-Type"] == "application/problem+json"
    assert "members[0].id_number" in r.json["errors"]
    if reason:
        assert reason in r.json["errors"]["members[0].id_number"][0]
    assert db.session.query(Household).count() == 30  # the demo's households only: nothing written


def _with_check(first17: str) -> str:
    from loanflow.core.domain.idcard import check_character

    return first17 + check_character(first17)


def test_30_february_is_not_a_birth_date(client, login):
    body = household(
        members=[
            {
                "name": "张三",
                "id_number": _with_check("11010519490230002"),
                "relation": "head",
                "labour": "normal",
            }
        ]
    )
    r = post(client, login("clerk"), body)
    assert r.status_code == 422
    assert "出生日期" in r.json["errors"]["members[0].id_number"][0]


def test_a_birth_date_after_the_business_date_is_refused(client, login):
    # the business date in tests is 2026-03-10
    body = household(
        members=[
            {
                "name": "张三",
                "id_number": _with_check("11010520260311002"),
                "relation": "head",
                "labour": "normal",
            }
        ]
    )
    r = post(client, login("clerk"), body)
    assert r.status_code == 422
    assert "members[0].id_number" in r.json["errors"]


def test_a_lower_case_x_is_accepted_and_stored_upper_case(client, login):
    body = household(
        members=[{"name": "张三", "id_number": "11010519491231002x", "relation": "head", "labour": "normal"}]
    )
    r = post(client, login("clerk"), body)
    assert r.status_code == 201
    assert r.json["members"][0]["id_number"] == "11010519491231002X"
    assert db.session.scalar(db.select(Member.id_number).where(Member.name == "张三")) == "11010519491231002X"


def test_the_same_person_cannot_be_in_two_households(client, login):
    assert post(client, login("clerk"), household()).status_code == 201
    r = post(client, login("clerk"), household(address="另一户"))
    assert r.status_code == 422
    assert "一人一户" in r.json["errors"]["members[0].id_number"][0]


MEMBER = {"name": "李四", "id_number": "11010519491231002X", "relation": "head", "labour": "normal"}


@pytest.mark.parametrize(
    "change,field",
    [
        ({"income_per_head": 4500}, "income_per_head"),  # a JSON number for money
        ({"income_per_head": "4500.001"}, "income_per_head"),  # a third decimal
        ({"income_per_head": "4.5e3"}, "income_per_head"),  # an exponent
        ({"income_per_head": "-1.00"}, "income_per_head"),  # negative
        ({"status": "rich"}, "status"),
        ({"monitoring": "marginal"}, "monitoring_set_on"),  # monitoring without its date
        ({"village_code": "341503001999"}, "village_code"),  # no such village
        ({"village_code": "341503002001"}, "village_code"),  # clerk2's village, outside the region
        ({"bank_account": "6217991234567890128"}, "bank_account"),  # Luhn fails
        ({"account_type": "passbook", "bank_account": "12AB5678"}, "bank_account"),
        ({"members": [dict(MEMBER, relation="spouse")]}, "members"),  # no head
        (
            {"members": [MEMBER, dict(MEMBER, id_number=None, no_id_reason="婴儿未落户")]},
            "members",
        ),  # two heads
        ({"members": [dict(MEMBER, phone="2380000000")]}, "members[0].phone"),
        ({"members": [dict(MEMBER, id_number=None)]}, "members[0].no_id_reason"),
        ({"members": []}, "members"),
        ({"nickname": "x"}, "nickname"),  # extra fields are refused
    ],
)
def test_each_household_rule_names_the_field_and_writes_nothing(client, login, change, field):
    before = db.session.query(Household).count()
    r = post(client, login("clerk"), household(**change))
    assert r.status_code == 422, r.json
    assert field in r.json["errors"], r.json
    assert r.json["detail"]
    assert db.session.query(Household).count() == before


def test_a_member_without_an_id_number_is_allowed_with_a_reason(client, login):
    infant = {
        "name": "张小宝",
        "id_number": None,
        "no_id_reason": "婴儿，尚未办理身份证",
        "relation": "child",
        "labour": "none",
    }
    r = post(client, login("clerk"), household(members=[MEMBER, infant]))
    assert r.status_code == 201
    assert r.json["members"][1]["id_number"] is None


def test_another_villages_clerk_gets_404_for_the_household(client, login):
    hid = post(client, login("clerk"), household()).json["id"]
    assert client.get(f"/api/v1/households/{hid}", headers=login("clerk2")).status_code == 404
    assert (
        client.patch(f"/api/v1/households/{hid}", json={"address": "x"}, headers=login("clerk2")).status_code
        == 404
    )
    assert client.get(f"/api/v1/households/{hid}", headers=login("clerk")).status_code == 200


def test_bank_officers_see_the_townships_of_their_branch_only(client, login):
    hid = post(client, login("clerk"), household()).json["id"]
    assert client.get(f"/api/v1/households/{hid}", headers=login("officer")).status_code == 200
    assert client.get(f"/api/v1/households/{hid}", headers=login("officer3")).status_code == 404


def test_a_role_that_may_see_but_not_edit_gets_403(client, login):
    hid = post(client, login("clerk"), household()).json["id"]
    r = client.patch(f"/api/v1/households/{hid}", json={"address": "x"}, headers=login("supervisor"))
    assert r.status_code == 403


def test_lists_mask_id_numbers_and_accounts_and_the_households_own_page_shows_them_whole(client, login):
    hid = post(client, login("clerk"), household()).json["id"]
    listed = client.get("/api/v1/households?q=张三", headers=login("clerk")).json
    assert listed["total"] == 1
    assert listed["items"][0]["members"][0]["id_number"] == "110105********002X"
    assert listed["items"][0]["bank_account"].endswith("0124") and "*" in listed["items"][0]["bank_account"]
    own = client.get(f"/api/v1/households/{hid}", headers=login("clerk")).json
    assert own["members"][0]["id_number"] == "11010519491231002X"
    assert own["bank_account"] == CARD
    supervised = client.get(f"/api/v1/households/{hid}", headers=login("supervisor")).json
    assert supervised["members"][0]["id_number"] == "110105********002X"


def test_search_finds_by_id_number_and_by_village_and_pages(client, login):
    post(client, login("clerk"), household())
    by_id = client.get("/api/v1/households?q=11010519491231002x", headers=login("clerk")).json
    assert by_id["total"] == 1
    page = client.get(
        f"/api/v1/households?village={VILLAGE_A}&per_page=5&page=2", headers=login("clerk")
    ).json
    assert page["total"] == 13 and len(page["items"]) == 5 and page["page"] == 2


def test_a_status_change_needs_a_reason_and_a_document_reference(client, login):
    hid = post(client, login("clerk"), household()).json["id"]
    r = client.patch(f"/api/v1/households/{hid}", json={"status": "out"}, headers=login("clerk"))
    assert r.status_code == 422
    assert {"change_reason", "document_ref"} <= set(r.json["errors"])
    r = client.patch(
        f"/api/v1/households/{hid}",
        json={"status": "out", "change_reason": "年度退出评估", "document_ref": "裕扶〔2026〕12号"},
        headers=login("clerk"),
    )
    assert r.status_code == 200 and r.json["status_label"] == "已脱贫"
    assert r.json["status_document"] == "裕扶〔2026〕12号"


def test_a_bank_account_change_takes_effect_only_when_a_second_user_confirms(client, login):
    hid = post(client, login("clerk"), household()).json["id"]
    direct = client.patch(
        f"/api/v1/households/{hid}", json={"bank_account": "6217990000000000009"}, headers=login("clerk")
    )
    assert direct.status_code == 422 and "bank_account" in direct.json["errors"]
    new = {
        "account_type": "passbook",
        "bank_account": "88881234567",
        "bank_name": "邮储银行",
        "reason": "旧卡遗失",
    }
    change = client.post(f"/api/v1/households/{hid}/account-changes", json=new, headers=login("clerk")).json
    mine = client.post(
        f"/api/v1/households/{hid}/account-changes/{change['id']}",
        json={"confirm": True},
        headers=login("clerk"),
    )
    assert mine.status_code == 403 and "四眼" in mine.json["detail"]
    assert client.get(f"/api/v1/households/{hid}", headers=login("clerk")).json["bank_account"] == CARD
    ok = client.post(
        f"/api/v1/households/{hid}/account-changes/{change['id']}",
        json={"confirm": True},
        headers=login("approver"),
    )
    assert ok.status_code == 200 and ok.json["state"] == "confirmed"
    assert (
        client.get(f"/api/v1/households/{hid}", headers=login("clerk")).json["bank_account"] == "88881234567"
    )


def test_a_retry_with_the_same_idempotency_key_registers_once_and_answers_the_same(client, login):
    headers = {**login("clerk"), "Idempotency-Key": "reg-001"}
    first = post(client, headers, household())
    second = post(client, headers, household())
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert db.session.scalar(db.select(db.func.count()).select_from(Member).where(Member.name == "张三")) == 1
    other = post(client, headers, household(address="不同的请求"))
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]


def test_every_change_is_an_audit_event_with_before_and_after(client, login):
    hid = post(client, login("clerk"), household()).json["id"]
    client.patch(f"/api/v1/households/{hid}", json={"address": "5组1号"}, headers=login("clerk"))
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.entity_type == "household", AuditEvent.entity_id == str(hid))
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.action for e in events] == ["household.register", "household.update"]
    assert events[1].before["address"] == "3组12号" and events[1].after["address"] == "5组1号"
    assert events[1].actor == "clerk" and events[1].role == "clerk" and events[1].chain == "341503"
    assert events[1].request_id


def test_tokens_are_refused_after_revocation_and_for_a_wrong_password(client, demo):
    assert client.post("/api/v1/tokens", json={"username": "clerk", "password": "nope"}).status_code == 401
    token = client.post("/api/v1/tokens", json={"username": "clerk", "password": "demo-password"}).json[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/households", headers=headers).status_code == 200
    assert client.delete("/api/v1/tokens", headers=headers).status_code == 204
    assert client.get("/api/v1/households", headers=headers).status_code == 401
    assert client.get("/api/v1/households").status_code == 401


def test_the_openapi_document_describes_money_as_a_decimal_string(client):
    spec = client.get("/api/v1/openapi.json").json
    schema = spec["components"]["schemas"]["HouseholdIn"]["properties"]["income_per_head"]
    assert schema["type"] == "string" and schema["format"] == "decimal"
    action = spec["paths"]["/api/v1/loans/{loan_id}/{action}"]
    names = next(p for p in action["parameters"] if p["name"] == "action")["schema"]["enum"]
    assert {"rate", "credit", "disburse", "repay", "reverse-repayment", "extend"} <= set(names)
    bodies = action["post"]["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    repay = spec["components"]["schemas"]["LoanActionRepayIn"]["properties"]
    assert len(bodies) >= 8 and repay["amount"]["format"] == "decimal"


def test_a_malformed_body_is_a_422_problem_not_a_500(client, login):
    r = client.post(
        "/api/v1/households", data="{not json", headers={**login("clerk"), "Content-Type": "application/json"}
    )
    assert r.status_code in (400, 422)
    assert r.headers["Content-Type"] == "application/problem+json"
    body = copy.deepcopy(household())
    body["members"] = "everyone"
    r = post(client, login("clerk"), body)
    assert r.status_code == 422 and "members" in r.json["errors"]


@pytest.mark.truncate  # threads racing through connections of their own
def test_two_people_deciding_one_account_change_at_once_leave_one_decision(app, client, login):
    """Confirm and reject race: exactly one wins, the other is told it was decided already."""
    import threading

    hid = post(client, login("clerk"), household()).json["id"]
    new = {
        "account_type": "passbook",
        "bank_account": "88881234567",
        "bank_name": "邮储银行",
        "reason": "旧卡遗失",
    }
    change = client.post(f"/api/v1/households/{hid}/account-changes", json=new, headers=login("clerk")).json
    url = f"/api/v1/households/{hid}/account-changes/{change['id']}"
    headers = {"confirm": login("approver"), "reject": login("approver2")}
    db.session.remove()
    results, start = {}, threading.Barrier(2)

    def decide(kind):
        with app.test_client() as c:
            start.wait()
            results[kind] = c.post(
                url, json={"confirm": kind == "confirm"}, headers=headers[kind]
            ).status_code

    threads = [threading.Thread(target=decide, args=(k,)) for k in headers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == [200, 409]
    decisions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.action.like("household.account_change_%ed"))
    ).all()
    assert len([d for d in decisions if d != "household.account_change_requested"]) == 1
    account = client.get(f"/api/v1/households/{hid}", headers=login("clerk")).json["bank_account"]
    assert (account == "88881234567") == (results["confirm"] == 200)


def test_a_nul_character_anywhere_is_a_422_naming_the_field_never_a_500(client, demo, login):
    r = client.post("/api/v1/tokens", json={"username": "cl\x00erk", "password": "demo-password"})
    assert r.status_code == 422 and "username" in r.json["errors"]
    r = client.get("/api/v1/households?q=a\x00b", headers=login("clerk"))
    assert r.status_code == 422 and "q" in r.json["errors"]
    page = client.post("/login", data={"username": "clerk\x00", "password": "x"})
    assert page.status_code == 422


def test_a_name_search_follows_a_household_that_moves_to_another_village(client, login):
    """Each member carries the household's village (the name index checks the searcher's region in it):
    a household that moves takes its members' village along, so the new village's clerk finds it by
    name and the old one's no longer does."""
    from loanflow.core import uow

    hid = post(
        client, login("clerk"), household(members=[{**household()["members"][0], "name": "钱迁移"}])
    ).json["id"]

    def found(who: str) -> int:
        return client.get("/api/v1/households?q=钱迁", headers=login(who)).json["total"]

    assert (found("clerk"), found("clerk2"), found("approver2")) == (1, 0, 1)
    h = db.session.get(Household, hid)
    h.village_code = "341503002001"  # clerk2's village
    uow.commit()
    assert {m.village_code for m in db.session.get(Household, hid).members} == {"341503002001"}
    assert (found("clerk"), found("clerk2"), found("approver2")) == (0, 1, 1)
