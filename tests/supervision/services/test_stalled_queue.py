"""The stalled queue: when a case becomes stalled (working days, not calendar days), who must act,
and dead ends — on cases built through the services with a frozen business date."""

from __future__ import annotations

from datetime import date

import pytest

from loanflow.core import uow
from loanflow.core.clock import business_date
from loanflow.extensions import db
from loanflow.loans.testing.factories import deposit, drive, fresh_households, open_loan
from loanflow.supervision.services.dead_ends import dead_ends
from loanflow.supervision.services.stalled import Filters, stalled_queue

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases

TOWNSHIP_A, TOWNSHIP_B = "341503001", "341503002"


@pytest.fixture
def county(demo, users):
    """The demo users, with the county's fund filled long before any of these cases."""
    deposit("341503", "1000000.00", date(2025, 12, 1))
    return users


def applied_on(day: date, clerk, n: int = 0):
    with business_date(day):
        return open_loan(clerk, fresh_households(clerk.region_code)[n])


def queue_on(day: date, supervisor, **filters):
    with business_date(day):
        rows, total = stalled_queue(supervisor, Filters(**filters))
    return {r.case_number: r for r in rows}, total


def test_a_case_due_on_friday_is_not_stalled_over_the_weekend_and_one_working_day_over_on_monday(county):
    loan = applied_on(date(2026, 3, 6), county["clerk"])  # Friday; five working days: Friday 13th
    assert loan.stage_due_on == date(2026, 3, 13)
    for weekend_day in (date(2026, 3, 14), date(2026, 3, 15)):
        rows, total = queue_on(weekend_day, county["supervisor"])
        assert loan.case_number not in rows and total == 0
    rows, total = queue_on(date(2026, 3, 16), county["supervisor"])
    assert total == 1 and rows[loan.case_number].working_days_over == 1


def test_the_spring_festival_holiday_stops_the_count_and_the_first_working_day_after_it_counts_one(county):
    loan = applied_on(date(2026, 2, 9), county["clerk"])  # due Saturday 14 February, a make-up working day
    assert loan.stage_due_on == date(2026, 2, 14)
    for holiday in (date(2026, 2, 15), date(2026, 2, 17), date(2026, 2, 23)):
        assert queue_on(holiday, county["supervisor"])[1] == 0
    rows, _ = queue_on(date(2026, 2, 24), county["supervisor"])
    assert rows[loan.case_number].working_days_over == 1
    rows, _ = queue_on(date(2026, 3, 2), county["supervisor"])
    # 24, 25, 26, 27 and Saturday 28 February (a make-up day), then Monday 2 March
    assert rows[loan.case_number].working_days_over == 6


def test_a_make_up_saturday_is_a_working_day_over(county):
    loan = applied_on(date(2026, 2, 13), county["clerk"])  # 14 (make-up), 24, 25, 26, 27 February
    assert loan.stage_due_on == date(2026, 2, 27)
    rows, total = queue_on(date(2026, 2, 28), county["supervisor"])  # Saturday, a make-up working day
    assert total == 1 and rows[loan.case_number].working_days_over == 1
    assert queue_on(date(2026, 3, 1), county["supervisor"])[0][loan.case_number].working_days_over == 1


def test_most_working_days_over_come_first_and_the_filters_narrow_the_queue(county):
    older = applied_on(date(2026, 2, 2), county["clerk"])
    newer = applied_on(date(2026, 2, 25), county["clerk"], 1)
    other = applied_on(date(2026, 2, 20), county["clerk2"])
    rows, total = stalled_queue(county["supervisor"], Filters())
    assert [r.case_number for r in rows] == [older.case_number, other.case_number, newer.case_number]
    assert rows[0].working_days_over > rows[1].working_days_over > rows[2].working_days_over
    assert total == 3
    assert [r.case_number for r in stalled_queue(county["supervisor"], Filters(township=TOWNSHIP_B))[0]] == [
        other.case_number
    ]
    assert stalled_queue(county["supervisor"], Filters(product="subsidy"))[1] == 0
    assert stalled_queue(county["supervisor"], Filters(stage="rated"))[1] == 0
    assert stalled_queue(county["supervisor"], Filters(stage="applied"))[1] == 3
    page_two, total = stalled_queue(county["supervisor"], Filters(), page=2, per_page=2)
    assert [r.case_number for r in page_two] == [newer.case_number] and total == 3


def names(row) -> list[str]:
    return [a.name for a in row.who.actors]


def test_who_must_act_names_the_officers_of_the_branch_and_drops_a_deactivated_one(county):
    loan = applied_on(date(2026, 2, 2), county["clerk"])
    row = queue_on(date(2026, 3, 10), county["supervisor"])[0][loan.case_number]
    assert row.who.roles == ("bank_officer",)
    assert names(row) == ["张信贷", "刘信贷"]  # officer and officer2 of branch A; officer3 serves B
    county["officer2"].active = False
    uow.commit()
    row = queue_on(date(2026, 3, 10), county["supervisor"])[0][loan.case_number]
    assert names(row) == ["张信贷"] and not row.dead_end


def test_four_eyes_leaves_the_other_officer_and_deactivating_him_makes_a_dead_end(county):
    with business_date(date(2026, 2, 2)):
        loan = drive(
            open_loan(county["clerk"], fresh_households(county["clerk"].region_code)[0]),
            "credited",
            officer=county["officer"],
        )
    row = queue_on(date(2026, 3, 10), county["supervisor"])[0][loan.case_number]
    assert names(row) == ["刘信贷"]  # who credited it may not disburse it
    county["officer2"].active = False
    uow.commit()
    row = queue_on(date(2026, 3, 10), county["supervisor"])[0][loan.case_number]
    assert row.dead_end and names(row) == []
    assert row.dead_end_reason.code == "dead_end.deactivated" and "刘信贷" in row.dead_end_reason.zh


def test_the_only_officer_of_a_branch_crediting_a_loan_makes_a_dead_end_before_it_is_late(county):
    loan = drive(
        open_loan(county["clerk2"], fresh_households(county["clerk2"].region_code)[0]),
        "credited",
        officer=county["officer3"],
    )
    assert loan.stage_due_on > date(2026, 3, 10)  # not late yet
    assert queue_on(date(2026, 3, 10), county["supervisor"])[1] == 0
    found = {r.case_number: r for r in dead_ends(county["supervisor"])}
    assert list(found) == [loan.case_number]
    assert found[loan.case_number].dead_end_reason.zh == "须由本网点另一名信贷员放款，本网点目前没有"
    # once it is late it is in the queue too, flagged
    row = queue_on(date(2026, 3, 30), county["supervisor"])[0][loan.case_number]
    assert row.dead_end and row.working_days_over > 0


def test_a_loan_credited_at_branch_a_is_no_dead_end(county):
    drive(
        open_loan(county["clerk"], fresh_households(county["clerk"].region_code)[0]),
        "credited",
        officer=county["officer"],
    )
    assert dead_ends(county["supervisor"]) == []


def test_a_case_waiting_on_no_one_is_never_stalled(county):
    with business_date(date(2026, 2, 2)):
        loan = open_loan(county["clerk"], fresh_households(county["clerk"].region_code)[0])
        drive(loan, "disbursed", officer=county["officer"], disburser=county["officer2"])
    db.session.expire_all()
    assert queue_on(date(2026, 3, 10), county["supervisor"])[1] == 0
    assert dead_ends(county["supervisor"]) == []


def test_a_subsidy_waiting_for_approval_without_an_active_county_approver_is_a_dead_end(county):
    from sqlalchemy import select

    from loanflow.households.models import Household
    from loanflow.subsidies.testing.factories import make_case

    h = db.session.scalars(
        select(Household).where(Household.village_code == county["clerk"].region_code)
    ).first()
    case = make_case(
        h,
        "publicized",
        start=date(2026, 2, 2),
        clerk=county["clerk"],
        verifier=county["approver"],
        approver=county["approver2"],
    )
    row = queue_on(date(2026, 3, 10), county["supervisor"])[0][f"JB-2026-{case.id:06d}"]
    assert names(row) == ["赵审批"]  # the county approver; the township's verified it and is below the level
    county["approver2"].active = False
    uow.commit()
    row = queue_on(date(2026, 3, 10), county["supervisor"])[0][f"JB-2026-{case.id:06d}"]
    assert row.dead_end and row.dead_end_reason.code == "dead_end.deactivated"
    assert "赵审批" in row.dead_end_reason.zh


def test_a_compensation_claim_past_its_ten_working_days_waits_for_the_county_approver(demo, users):
    """A state added to the loan's table after this feature (the claim) is covered by the same rules."""
    from loanflow.loans.fund.services import claim_compensation
    from loanflow.loans.services.extensions import recall_loan
    from loanflow.loans.testing.factories import disbursed_loan, fill_fund

    fill_fund(users)
    loan = disbursed_loan(users, "10000.00", 12, date(2026, 3, 10))
    with business_date(date(2026, 4, 1)):
        recall_loan(users["officer"], loan.id, "挪用于建房")
        uow.commit()
    with business_date(date(2026, 6, 30)):
        claim_compensation(users["officer"], loan.id, "三次上门催收，两次书面函告")
        uow.commit()
    assert queue_on(date(2026, 7, 14), users["supervisor"])[1] == 0  # due 14 July
    row = queue_on(date(2026, 7, 15), users["supervisor"])[0][loan.case_number]
    assert row.state == "compensation_claimed" and row.working_days_over == 1
    assert row.who.roles == ("approver",) and names(row) == ["赵审批"]  # county level only
    users["approver2"].active = False
    uow.commit()
    row = queue_on(date(2026, 7, 15), users["supervisor"])[0][loan.case_number]
    assert row.dead_end
