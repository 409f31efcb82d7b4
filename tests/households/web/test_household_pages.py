"""Household pages: a clerk registers through the form, errors stay beside their fields, lists mask."""

from __future__ import annotations

import random
import re

from loanflow.extensions import db
from loanflow.households.models import AccountChange, Household, Member
from loanflow.households.testing.factories import demo_card
from loanflow.web.testing.fixtures import field_errors, input_value

GOOD_ID = "11010519491231002X"


def form(**changes) -> dict:
    card = demo_card(random.Random(7))
    data = {
        "village_code": "341503001001",
        "address": "3组12号",
        "status": "not_out",
        "monitoring": "none",
        "monitoring_set_on": "",
        "attribute": "general",
        "main_cause": "illness",
        "secondary_causes": ["no_funds"],
        "income_per_head": "4800",
        "account_type": "card",
        "bank_account": card,
        "bank_name": "裕安区农村商业银行",
        "members[0].name": "赵大山",
        "members[0].id_number": GOOD_ID,
        "members[0].relation": "head",
        "members[0].labour": "normal",
        "members[0].phone": "13912345678",
        "members[1].name": "",
        "members[1].relation": "",
        "members[1].labour": "normal",
    }
    data.update(changes)
    return data


def test_a_clerk_registers_a_household_through_the_form(page_as):
    c = page_as("clerk")
    assert "登记农户" in c.get("/households/new").get_data(as_text=True)
    r = c.post("/households/new", data=form())
    assert r.status_code == 302
    h = db.session.query(Household).join(Member).filter(Member.id_number == GOOD_ID).one()
    html = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "农户已登记" in html and "赵大山" in html
    assert GOOD_ID in html  # whole on the household's own page for a clerk
    assert h.secondary_causes == ["no_funds"] and str(h.income_per_head) == "4800.00"
    assert "登记农户" in html  # the timeline's first event


def test_a_bad_id_number_is_named_beside_its_field_and_nothing_typed_is_lost(page_as):
    c = page_as("clerk")
    r = c.post("/households/new", data=form(**{"members[0].id_number": "110105194912310021"}))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_errors(html, "members[0].id_number")  # the message sits next to the ID box
    assert "校验" in field_errors(html, "members[0].id_number")[0]
    assert input_value(html, "members[0].id_number") == "110105194912310021"
    assert input_value(html, "members[0].name") == "赵大山"
    assert input_value(html, "bank_name") == "裕安区农村商业银行"
    assert input_value(html, "address") == "3组12号"
    assert 'value="no_funds" checked' in html
    assert db.session.query(Member).filter(Member.name == "赵大山").count() == 0


def test_errors_come_back_in_english_on_the_english_page(page_as):
    c = page_as("clerk")
    c.get("/lang/en")
    r = c.post("/households/new", data=form(income_per_head="12.345", bank_account=""))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_errors(html, "income_per_head") == ["The amount may have at most 2 decimals"]
    assert field_errors(html, "bank_account") == ["This field is required"]
    assert input_value(html, "income_per_head") == "12.345"


def test_a_second_head_is_refused_with_the_members_named(page_as):
    c = page_as("clerk")
    data = form(
        **{"members[1].name": "赵小河", "members[1].relation": "head", "members[1].no_id_reason": "婴儿"}
    )
    html = c.post("/households/new", data=data).get_data(as_text=True)
    assert "有且只有一名户主" in html
    assert input_value(html, "members[1].name") == "赵小河"


def test_a_bank_officer_is_refused_registration_with_a_readable_page(page_as):
    r = page_as("officer").post("/households/new", data=form())
    assert r.status_code == 403
    assert "只有经办员可以登记农户" in r.get_data(as_text=True)


def test_lists_mask_id_numbers_and_accounts(page_as):
    c = page_as("clerk")
    c.post("/households/new", data=form())
    html = c.get("/households?q=赵大山").get_data(as_text=True)
    assert "赵大山" in html
    assert "110105********002X" in html and GOOD_ID not in html
    assert form()["bank_account"] not in html and "*" * 12 in html


def test_a_name_is_found_by_its_start_not_by_the_given_name_alone(page_as):
    """Prefix, not infix (docs/decisions.md, "Search is index lookups only"): 赵大 finds 赵大山, 大山 does not."""
    c = page_as("clerk")
    c.post("/households/new", data=form())
    h = db.session.query(Household).join(Member).filter(Member.id_number == GOOD_ID).one()
    for term in ("赵大山", "赵大"):
        assert f'/households/{h.id}"' in c.get(f"/households?q={term}").get_data(as_text=True), term
    assert f'/households/{h.id}"' not in c.get("/households?q=大山").get_data(as_text=True)
    assert f'/households/{h.id}"' in c.get(f"/households?q={GOOD_ID[-4:]}").get_data(as_text=True)


def test_a_supervisor_sees_masked_numbers_even_on_the_households_page(page_as):
    page_as("clerk").post("/households/new", data=form())
    h = db.session.query(Household).join(Member).filter(Member.id_number == GOOD_ID).one()
    html = page_as("supervisor").get(f"/households/{h.id}").get_data(as_text=True)
    assert "赵大山" in html and GOOD_ID not in html and "110105********002X" in html


def test_search_finds_by_village_and_pages_through(page_as):
    c = page_as("supervisor")
    html = c.get("/households?village=341503001001").get_data(as_text=True)
    assert "共 12 户" in html
    html = c.get("/households").get_data(as_text=True)
    assert "第 1 页，共 2 页" in html and "page=2" in html


def test_a_household_outside_the_region_is_not_found(page_as):
    outside = db.session.query(Household).filter(Household.village_code == "341503002001").first()
    assert page_as("clerk").get(f"/households/{outside.id}").status_code == 404


def test_a_status_change_needs_its_reason_and_document_then_saves(page_as):
    c = page_as("clerk")
    h = db.session.query(Household).filter(Household.village_code == "341503001001").first()
    page = c.get(f"/households/{h.id}/edit").get_data(as_text=True)
    data = {k: v for k, v in _filled(page).items()}
    data["status"] = "relapsed" if h.status != "relapsed" else "out"
    r = c.post(f"/households/{h.id}/edit", data=data)
    assert r.status_code == 422
    assert field_errors(r.get_data(as_text=True), "change_reason")
    data.update(change_reason="因病返贫", document_ref="裕扶办〔2026〕3号")
    assert c.post(f"/households/{h.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Household, h.id).status_document == "裕扶办〔2026〕3号"


def test_a_bank_account_change_needs_a_second_person(page_as):
    h = db.session.query(Household).filter(Household.village_code == "341503001001").first()
    clerk = page_as("clerk")
    r = clerk.post(
        f"/households/{h.id}/account-changes",
        data={
            "account_type": "passbook",
            "bank_account": "6200123456789",
            "bank_name": "邮储银行",
            "reason": "换卡",
        },
    )
    assert r.status_code == 302
    change = db.session.query(AccountChange).one()
    r = clerk.post(f"/households/{h.id}/account-changes/{change.id}", data={"decision": "confirm"})
    assert r.status_code == 403 and "四眼原则" in r.get_data(as_text=True)
    approver = page_as("approver")
    assert "6200123456789" in approver.get(f"/households/{h.id}").get_data(as_text=True)
    assert "待确认的银行账户变更" in approver.get("/").get_data(as_text=True)
    r = approver.post(f"/households/{h.id}/account-changes/{change.id}", data={"decision": "confirm"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Household, h.id).bank_account == "6200123456789"


def test_a_bad_account_number_is_named_and_kept(page_as):
    h = db.session.query(Household).filter(Household.village_code == "341503001001").first()
    r = page_as("clerk").post(
        f"/households/{h.id}/account-changes",
        data={"account_type": "card", "bank_account": "6217991234567890123", "bank_name": "农商行"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Luhn" in field_errors(html, "bank_account")[0]
    assert input_value(html, "bank_account") == "6217991234567890123"


def _filled(html: str) -> dict:
    """The values an edit form was drawn with, as the browser would post them back."""
    import re

    data: dict = {}
    for name, value in re.findall(r'<input type="[a-z]+" name="([^"]+)" value="([^"]*)"', html):
        data[name] = value
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    data["secondary_causes"] = re.findall(r'name="secondary_causes" value="([^"]+)" checked', html)
    return data


def test_one_submission_reports_every_error_at_once_beside_its_field(page_as):
    """Required boxes, the member relation, the ID checksum, the phone and the card: one round."""
    c = page_as("clerk")
    r = c.post(
        "/households/new",
        data=form(
            address="",
            income_per_head="",
            bank_account="6217000000000000001",  # fails the Luhn check
            **{
                "members[0].relation": "",
                "members[0].id_number": "110105194912310021",  # wrong check digit
                "members[0].phone": "2391234567",
                "members[1].name": "赵小山",
                "members[1].relation": "child",
                "members[1].id_number": "",
            },
        ),
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_errors(html, "income_per_head")
    assert field_errors(html, "members[0].relation") == ["请从列表中选择"]
    assert "校验" in field_errors(html, "members[0].id_number")[0]
    assert field_errors(html, "members[0].phone")
    assert "Luhn" in field_errors(html, "bank_account")[0]
    assert field_errors(html, "members[1].no_id_reason")
    assert field_errors(html, "members")  # no head among the members
    assert db.session.query(Member).filter(Member.name == "赵大山").count() == 0


def test_a_status_change_without_reason_names_the_field_by_its_label(page_as):
    """ "变更脱贫状态须填写变更原因", never "变更 status …": labels, not codes."""
    c = page_as("clerk")
    h = db.session.query(Household).filter(Household.village_code == "341503001001").first()
    data = _filled(c.get(f"/households/{h.id}/edit").get_data(as_text=True))
    data["status"] = "relapsed" if h.status != "relapsed" else "out"
    html = c.post(f"/households/{h.id}/edit", data=data).get_data(as_text=True)
    assert field_errors(html, "change_reason") == ["变更脱贫状态须填写变更原因"]
    assert field_errors(html, "document_ref") == ["变更脱贫状态须填写依据文号"]


def test_village_selects_group_by_township_and_preselect_the_only_choice(page_as):
    clerk_form = page_as("clerk").get("/households/new").get_data(as_text=True)
    select = re.search(r'<select name="village_code">(.*?)</select>', clerk_form, re.S).group(1)
    assert re.findall(r"<option ", select) == ["<option "]  # no "—": the clerk's one village
    assert 'value="341503001001" selected' in select and "<optgroup" in select
    listing = page_as("supervisor").get("/households").get_data(as_text=True)
    select = re.search(r'<select name="village">(.*?)</select>', listing, re.S).group(1)
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert len(groups) > 1 and len(groups) == len(set(groups))  # each township once
    assert select.index("<optgroup") > select.index('<option value="">')  # "all villages" first


def _found(html: str) -> str:
    return re.search(r"共 (\d+) 户", html).group(1)


def test_search_by_id_tail_phone_whole_id_name_and_case_number(page_as):
    from loanflow.loans.testing.factories import deposit, free_households, open_loan, user_named

    c = page_as("supervisor")
    m = db.session.query(Member).filter(Member.id_number.is_not(None)).order_by(Member.id).first()
    tail_html = c.get(f"/households?q={m.id_number[-4:]}").get_data(as_text=True)
    assert f'/households/{m.household_id}"' in tail_html
    same_tail = db.session.query(Member.household_id).filter(Member.id_tail == m.id_number[-4:]).distinct()
    assert _found(tail_html) == str(same_tail.count())
    assert f'/households/{m.household_id}"' in c.get(f"/households?q={m.id_number}").get_data(as_text=True)
    assert _found(c.get(f"/households?q={m.name[:2]}").get_data(as_text=True)) != "0"
    db.session.query(Member).filter(Member.id == m.id).update({"phone": "13855550011"})
    db.session.flush()
    assert f'/households/{m.household_id}"' in c.get("/households?q=13855550011").get_data(as_text=True)
    deposit("341503", "100000.00")
    loan = open_loan(user_named("clerk"), free_households()[0])
    html = c.get(f"/households?q={loan.case_number.lower()}").get_data(as_text=True)
    assert f'/loans/{loan.id}"' in html and f'/households/{loan.household_id}"' in html
    assert _found(html) == "1"


def test_the_tail_search_is_an_index_lookup_not_a_scan_of_the_members(app):
    """The search term becomes an equality on an indexed column (the query plan names the index)."""
    from sqlalchemy import select

    from loanflow.households.services import member_match

    stmt = select(Member.household_id).where(member_match("0011"))
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = (
        " ".join(str(r) for r in db.session.execute(db.text(f"EXPLAIN QUERY PLAN {sql}")).all())
        if (db.engine.dialect.name == "sqlite")
        else " ".join(r[0] for r in db.session.execute(db.text(f"EXPLAIN {sql}")))
    )
    assert "ix_member_id_tail" in plan or "Bitmap" in plan or "Index" in plan
    assert "SCAN member" not in plan and "Seq Scan on member" not in plan
