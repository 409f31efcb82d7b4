"""Subsidy pages: a clerk applies, the township approver verifies and posts the village 公示."""

from __future__ import annotations

from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.subsidies.models import SubsidyCase
from loanflow.web.testing.fixtures import field_errors, input_value


def _household() -> Household:
    return db.session.query(Household).filter(Household.village_code == "341503001001").first()


def _apply(clerk, h: Household, **changes):
    data = {"industry": "pig", "quantity": "5", "consent": "yes", **changes}
    return clerk.post(f"/households/{h.id}/subsidies/new", data=data)


def test_a_clerk_applies_and_the_approver_verifies_and_posts_the_publicity(page_as):
    clerk, approver, h = page_as("clerk"), page_as("approver"), _household()
    r = _apply(clerk, h)
    assert r.status_code == 302
    case_url = r.headers["Location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    assert case_url in approver.get("/").get_data(as_text=True)
    r = approver.post(
        f"/subsidies/{case_id}/verify", data={"verified_quantity": "4", "note": "实地查看 4 头"}
    )
    assert r.status_code == 302
    html = approver.get(case_url).get_data(as_text=True)
    assert "已核验" in html and "800.00" in html and 'id="action-publicize"' in html
    assert approver.post(f"/subsidies/{case_id}/publicize", data={}).status_code == 302
    case = db.session.get(SubsidyCase, case_id)
    html = approver.get(f"/publicity/{case.publicity_id}").get_data(as_text=True)
    assert h.head.name in html and "生猪" in html and "800.00" in html
    assert h.head.id_number not in html and h.bank_account not in html and (h.head.phone or "~") not in html


def test_a_bad_verified_quantity_is_named_and_kept(page_as):
    clerk, approver, h = page_as("clerk"), page_as("approver"), _household()
    case_id = int(_apply(clerk, h).headers["Location"].rsplit("/", 1)[1])
    r = approver.post(f"/subsidies/{case_id}/verify", data={"verified_quantity": "4.555", "note": "看过"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and field_errors(html, "verified_quantity")
    assert input_value(html, "verified_quantity") == "4.555" and input_value(html, "note") == "看过"


def test_an_application_without_consent_is_refused_and_kept(page_as):
    r = _apply(page_as("clerk"), _household(), consent="", quantity="7")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and field_errors(html, "consent")
    assert input_value(html, "quantity") == "7"


def test_approval_before_the_publicity_ends_is_refused_with_409(page_as):
    clerk, approver, h = page_as("clerk"), page_as("approver"), _household()
    case_id = int(_apply(clerk, h).headers["Location"].rsplit("/", 1)[1])
    approver.post(f"/subsidies/{case_id}/verify", data={"verified_quantity": "4"})
    approver.post(f"/subsidies/{case_id}/publicize", data={})
    r = page_as("approver2").post(f"/subsidies/{case_id}/approve")
    assert r.status_code == 409
    assert "公示" in r.get_data(as_text=True)


def test_the_subsidy_list_page_of_many_cases_reads_the_policy_once(page_as):
    from loanflow.subsidies.testing.factories import applied_cases
    from loanflow.testing.querycount import statements

    applied_cases(30)
    approver2 = page_as("approver2")
    approver2.get("/subsidies")  # a process reads a version's document once; every request, its number
    with statements() as sent:
        html = approver2.get("/subsidies").get_data(as_text=True)
    assert "生猪（头）" in html and "猕猴桃（亩）" in html
    policy_reads = [s for s in sent if "policy_version" in s and "subsidy_case" not in s]
    assert len(policy_reads) == 1, policy_reads
    assert len(sent) <= 12, sent


def test_a_nul_character_in_a_verification_note_is_refused_and_nothing_changes(page_as):
    clerk, approver, h = page_as("clerk"), page_as("approver"), _household()
    case_id = int(_apply(clerk, h).headers["Location"].rsplit("/", 1)[1])
    r = approver.post(f"/subsidies/{case_id}/verify", data={"verified_quantity": "4", "note": "看过\x00"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "不能包含空字符（U+0000）" in html
    assert db.session.get(SubsidyCase, case_id).state == "applied"
