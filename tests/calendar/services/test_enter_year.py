"""Entering a year the calendar did not know: the provisional dates are recomputed and every one that
moved is listed, with the subsidies approved inside what is now their 公示 (issue 9, point 9)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from loanflow.calendar.services import enter_year
from loanflow.core import uow
from loanflow.core.domain.workdays import ApprovedInsidePeriod, MovedDate
from loanflow.core.errors import Conflict, Forbidden, Invalid
from loanflow.extensions import db
from loanflow.subsidies import publicity as publicity_service
from loanflow.subsidies import services as service
from loanflow.subsidies.models import Publicity, SubsidyCase
from loanflow.subsidies.testing.factories import business_date, enter_calendar_year, fresh_household

VILLAGE = "341503001001"
# 2027's Spring Festival as the State Council might publish it: 除夕 to 初六 off, Saturday 20 February worked.
SPRING_2027 = {
    "holidays": ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11"],
    "workdays": ["2027-02-20"],
}


def step(day: date, run):
    with business_date(day):
        result = run()
        uow.commit()
    return result


def applied(users, name: str, on: date) -> SubsidyCase:
    body = {
        "household_id": fresh_household(VILLAGE, name).id,
        "industry": "pig",
        "quantity": "2",
        "consent": True,
    }
    return step(on, lambda: service.apply_for_subsidy(users["clerk"], body))


def test_entering_2027_moves_the_spring_festival_dates_and_flags_an_approval_inside_the_period(users):
    township = users["approver"]
    waiting = applied(users, "待核户", date(2027, 1, 29))
    # 2027 unknown: 1, 2, 3, 4 February, then 除夕 (5th) and 初三 (8th) off on their legal dates: the 9th
    assert (waiting.stage_due_on, waiting.stage_due_provisional) == (date(2027, 2, 9), True)
    listed = [applied(users, n, date(2027, 1, 25)) for n in ("公示户", "早批户")]
    for c in listed:
        step(date(2027, 1, 29), lambda c=c: service.verify_case(township, c.id, {"verified_quantity": "2"}))
    posted = step(
        date(2027, 2, 1), lambda: publicity_service.publicize_cases(township, listed[0].id, [listed[1].id])
    )
    assert (posted.end_on, posted.approval_opens_on, posted.provisional) == (
        date(2027, 2, 9),
        date(2027, 2, 10),
        True,
    )
    # one case approved on 10 February by a release that still allowed a provisional 公示
    cases = SubsidyCase.__table__
    db.session.execute(
        update(cases)
        .where(cases.c.id == listed[1].id)
        .values(
            state="approved",
            approved_on=date(2027, 2, 10),
            approved_by_id=users["approver2"].id,
            stage_started_on=date(2027, 2, 10),
            stage_days=5,
            stage_due_on=date(2027, 2, 17),
            stage_due_provisional=True,
        )
    )
    uow.commit()
    on_list = db.session.get(SubsidyCase, listed[0].id)
    assert (on_list.stage_due_on, on_list.stage_due_provisional) == (date(2027, 2, 16), True)

    entered = enter_calendar_year(2027, SPRING_2027["holidays"], SPRING_2027["workdays"])

    assert entered.created and entered.table.year == 2027
    assert entered.refirmed["publicity_periods"] == 1 and entered.refirmed["subsidy_deadlines"] == 3
    p = posted.number
    assert entered.moved == sorted(
        [
            MovedDate("publicity", posted.id, p, "publicity_end", date(2027, 2, 9), date(2027, 2, 12)),
            MovedDate("publicity", posted.id, p, "approval_opens", date(2027, 2, 10), date(2027, 2, 15)),
            MovedDate(
                "subsidy",
                waiting.id,
                waiting.case_number,
                "stage_due_on",
                date(2027, 2, 9),
                date(2027, 2, 12),
            ),
            MovedDate(
                "subsidy",
                listed[0].id,
                listed[0].case_number,
                "stage_due_on",
                date(2027, 2, 16),
                date(2027, 2, 19),
            ),
            MovedDate(
                "subsidy",
                listed[1].id,
                listed[1].case_number,
                "stage_due_on",
                date(2027, 2, 17),
                date(2027, 2, 18),
            ),
        ],
        key=lambda m: (m.case_type, m.case_number, m.what),
    )
    assert entered.approved_inside_period == [
        ApprovedInsidePeriod(
            listed[1].id, listed[1].case_number, date(2027, 2, 10), date(2027, 2, 12), date(2027, 2, 15)
        )
    ]
    db.session.expire_all()
    firm = db.session.get(Publicity, posted.id)
    assert (firm.end_on, firm.approval_opens_on, firm.provisional) == (
        date(2027, 2, 12),
        date(2027, 2, 15),
        False,
    )
    assert db.session.get(SubsidyCase, waiting.id).stage_due_provisional is False


def test_correcting_an_entered_year_recomputes_the_dates_that_count_its_days(users):
    enter_calendar_year(2027, ["2027-01-01"])
    waiting = applied(users, "更正户", date(2027, 2, 1))
    assert (waiting.stage_due_on, waiting.stage_due_provisional) == (date(2027, 2, 8), False)
    corrected = enter_calendar_year(2027, SPRING_2027["holidays"], SPRING_2027["workdays"])
    assert not corrected.created
    assert [(m.case_number, m.before, m.after) for m in corrected.moved] == [
        (waiting.case_number, date(2027, 2, 8), date(2027, 2, 15))
    ]


def test_only_an_admin_enters_a_year_and_a_year_entered_twice_by_post_is_a_conflict(users):
    with pytest.raises(Forbidden):
        enter_year(users["approver2"], 2027, ["2027-01-01"], [])
    with pytest.raises(Forbidden):  # the role is refused before the table is read (403 before 422)
        enter_year(users["clerk"], 2027, ["not a date"], [])
    enter_year(users["admin"], 2027, ["2027-01-01"], [], new=True)
    with pytest.raises(Conflict) as twice:
        enter_year(users["admin"], 2027, ["2027-01-01"], [], new=True)
    assert "PUT" in twice.value.message.en
    with pytest.raises(Invalid) as bad:
        enter_year(users["admin"], 2028, ["2027-01-01"], [])
    assert "2027-01-01" in bad.value.errors["calendar"][0].en
