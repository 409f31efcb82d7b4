"""Each flag (疑点) is found on a case built for it, and not on a clean one beside it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from loanflow.audit import services as audit
from loanflow.core import uow
from loanflow.core.clock import business_date
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.testing.factories import deposit, drive, fresh_households, open_loan
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.testing.factories import applied_cases, fresh_household, make_case
from loanflow.supervision.services.flags import flags

pytestmark = pytest.mark.bare_demo

VILLAGE_A = "341503001001"


@pytest.fixture
def county(demo, users):
    deposit("341503", "1000000.00", date(2025, 12, 1))
    return users


def found(user, kind: str) -> list:
    return flags(user, kind)


def numbers(flag_list) -> set[str]:
    return {c.case_number for f in flag_list for c in f.cases}


def test_one_bank_account_on_two_households_is_flagged_with_both_and_a_distinct_account_is_not(county):
    shared = "6217991234567890128"
    one, two = fresh_household(VILLAGE_A, "甲户主", shared), fresh_household(VILLAGE_A, "乙户主", shared)
    fresh_household(VILLAGE_A, "丙户主", "6217990000000000006")
    hits = [f for f in found(county["supervisor"], "shared_account") if set(f.households) & {one.id, two.id}]
    assert len(hits) == 1 and set(hits[0].households) == {one.id, two.id}
    assert "0128" in hits[0].detail.zh


def test_a_clerk_opening_more_than_twenty_applications_in_a_day_is_flagged_and_twenty_is_not(county):
    applied_cases(20)  # all by the clerk, today
    assert found(county["supervisor"], "busy_clerk") == []
    applied_cases(1)
    hit = found(county["supervisor"], "busy_clerk")
    assert len(hit) == 1 and len(hit[0].cases) == 21 and "王经办" in hit[0].detail.zh


def test_a_subsidy_approved_before_its_publicity_ended_or_while_provisional_is_flagged(county):
    people = dict(clerk=county["clerk"], verifier=county["approver"], approver=county["approver2"])
    households = [h for h in db.session.scalars(select(Household).where(Household.village_code == VILLAGE_A))]
    clean = make_case(households[0], "approved", start=date(2026, 2, 2), **people)
    early = make_case(households[1], "approved", start=date(2026, 2, 2), **people)
    provisional = make_case(households[2], "approved", start=date(2026, 2, 2), **people)
    assert found(county["supervisor"], "early_approval") == []
    # as a later calendar entry would leave them: one period now ends after its approval, one unconfirmed
    early.publicity.approval_opens_on = date(2026, 3, 31)
    provisional.publicity.provisional = True
    uow.commit()
    hits = found(county["supervisor"], "early_approval")
    assert {c.case_id for f in hits for c in f.cases} == {early.id, provisional.id}
    assert clean.id not in {c.case_id for f in hits for c in f.cases}
    assert db.session.get(SubsidyCase, clean.id).state == "approved"


def test_a_loan_disbursed_after_its_credited_stage_was_due_is_flagged_and_one_on_time_is_not(county):
    clerk, officer, officer2 = county["clerk"], county["officer"], county["officer2"]
    late_h, fine_h = fresh_households(clerk.region_code)[:2]
    with business_date(date(2026, 2, 2)):
        late = drive(open_loan(clerk, late_h), "credited", officer=officer)  # due within 7 working days
        fine = drive(open_loan(clerk, fine_h), "credited", officer=officer)
    with business_date(date(2026, 2, 4)):
        loan_credit.disburse_loan(officer2, fine.id, date(2026, 2, 4))
        uow.commit()
    with business_date(date(2026, 3, 9)):
        loan_credit.disburse_loan(officer2, late.id, date(2026, 3, 9))
        uow.commit()
    hits = found(county["supervisor"], "late_disbursement")
    assert numbers(hits) == {late.case_number}
    assert "2026-03-09" in hits[0].detail.zh


def test_a_status_change_without_a_document_reference_is_flagged_and_a_documented_one_is_not(county):
    from loanflow.households import services as households

    documented, legacy = (
        fresh_household(VILLAGE_A, "甲户主"),
        fresh_household(VILLAGE_A, "乙户主", "6217990000000000006"),
    )
    households.update_household(
        county["clerk"],
        documented.id,
        {"status": "out", "change_reason": "验收脱贫", "document_ref": "裕政〔2026〕3号"},
    )
    # a change that did not come through the register's form (a legacy import): no 文号
    legacy.status = "out"
    audit.record(
        None,
        "household.update",
        "household",
        legacy.id,
        chain="341503",
        before={"status": "not_out"},
        after={"status": "out"},
    )
    uow.commit()
    hits = found(county["supervisor"], "undocumented_change")
    assert [f.households for f in hits] == [[legacy.id]]


def test_a_dead_end_is_a_flag_and_a_loan_someone_may_move_is_not(county):
    clerk2, officer3 = county["clerk2"], county["officer3"]
    stuck = drive(open_loan(clerk2, fresh_households(clerk2.region_code)[0]), "credited", officer=officer3)
    drive(
        open_loan(county["clerk"], fresh_households(county["clerk"].region_code)[0]),
        "credited",
        officer=county["officer"],
    )
    hits = found(county["supervisor"], "dead_end")
    assert numbers(hits) == {stuck.case_number}
    assert "本网点目前没有" in hits[0].detail.zh


def test_a_clean_county_has_no_flags(county):
    assert flags(county["supervisor"]) == []
