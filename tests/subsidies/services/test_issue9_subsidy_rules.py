"""Issue 9, the subsidy points through the service: the cap's year edge (3), a 公示 on a year not
published yet (9), whole heads (10) and the cap shown (12). Figures to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from loanflow.core import uow
from loanflow.core.errors import Conflict, Invalid
from loanflow.extensions import db
from loanflow.subsidies import publicity as publicity_service
from loanflow.subsidies import services as service
from loanflow.subsidies.models import SubsidyCap, SubsidyCase
from loanflow.subsidies.testing.factories import (
    NEW_YEAR_2027,
    business_date,
    enter_calendar_year,
    fresh_household,
    make_case,
)

VILLAGE = "341503001001"
D = Decimal


def held(household_id: int, period: str) -> Decimal:
    db.session.expire_all()
    row = db.session.get(SubsidyCap, (household_id, period))
    return row.reserved if row else D("0.00")


def step(day: date, run):
    """One request on ``day``: the service call, then its unit of work commits."""
    with business_date(day):
        result = run()
        uow.commit()
    return result


def household_with_2500_approved_in_2026(users):
    h = fresh_household(VILLAGE, "跨年户")
    first = make_case(
        h,
        "approved",
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
        industry="tea",
        quantity="5",
    )
    assert (first.amount, first.cap_period) == (D("2500.00"), "2026")
    return h


def five_pigs_verified_on_21_december(users, h) -> SubsidyCase:
    clerk, township = users["clerk"], users["approver"]
    body = {"household_id": h.id, "industry": "pig", "quantity": "5", "consent": True}
    case = step(date(2026, 12, 17), lambda: service.apply_for_subsidy(clerk, body))
    step(date(2026, 12, 21), lambda: service.verify_case(township, case.id, {"verified_quantity": "5"}))
    return db.session.get(SubsidyCase, case.id)


# --- point 3: the cap's year edge ------------------------------------------------------------------


@pytest.mark.parametrize(
    "posted_on, approved_on",
    [
        (date(2026, 12, 28), date(2027, 1, 5)),  # the 公示: 元旦 is off, so its 5th day is 4 January
        (date(2026, 12, 24), date(2027, 1, 4)),  # a 公示 over by 30 December: approved on 4 January
    ],
)
def test_five_pigs_verified_in_december_and_approved_in_january_get_1000_against_2027s_cap(
    users, posted_on, approved_on
):
    enter_calendar_year(2027, NEW_YEAR_2027["holidays"])
    h = household_with_2500_approved_in_2026(users)
    case = five_pigs_verified_on_21_december(users, h)
    # at verification 2026's cap has 500.00 left: reserved there, cut
    assert (
        case.amount == D("500.00") and case.computation["gross"] == "1000.00" and case.computation["capped"]
    )
    assert held(h.id, "2026") == D("3000.00")
    township, county = users["approver"], users["approver2"]
    posted = step(posted_on, lambda: publicity_service.publicize_cases(township, case.id))
    assert posted.approval_opens_on <= approved_on and not posted.provisional
    step(approved_on, lambda: service.approve_case(county, case.id))
    approved = db.session.get(SubsidyCase, case.id)
    assert (approved.state, approved.amount, approved.cap_period) == ("approved", D("1000.00"), "2027")
    assert approved.computation["capped"] is False and approved.computation["reserved_before"] == "0.00"
    assert approved.computation["cap_left"] == "3000.00"
    assert held(h.id, "2026") == D("2500.00") and held(h.id, "2027") == D("1000.00")


# --- point 9: a 公示 running into a year not published yet -------------------------------------------


def test_a_publicity_running_into_2027_cannot_be_approved_until_2027_is_entered(users):
    h = fresh_household(VILLAGE, "待历户")
    case = five_pigs_verified_on_21_december(users, h)
    township, county = users["approver"], users["approver2"]
    posted = step(date(2026, 12, 28), lambda: publicity_service.publicize_cases(township, case.id))
    # 2027 unknown: 元旦 counted off on its legal date, the period provisional
    assert (posted.end_on, posted.approval_opens_on, posted.provisional) == (
        date(2027, 1, 4),
        date(2027, 1, 5),
        True,
    )
    for day in (date(2027, 1, 5), date(2027, 1, 20)):
        with business_date(day), pytest.raises(Conflict) as refused:
            service.approve_case(county, case.id)
        assert "2027" in refused.value.message.zh and "2027" in refused.value.message.en
        assert "approve" not in refused.value.allowed_actions
        db.session.rollback()
    assert db.session.get(SubsidyCase, case.id).state == "publicized"

    enter_calendar_year(2027, NEW_YEAR_2027["holidays"])
    with business_date(date(2027, 1, 4)), pytest.raises(Conflict) as early:
        service.approve_case(county, case.id)
    assert "2027-01-05" in early.value.message.en  # the period's last day is 4 January
    db.session.rollback()
    step(date(2027, 1, 5), lambda: service.approve_case(county, case.id))
    assert db.session.get(SubsidyCase, case.id).state == "approved"


# --- point 10: whole heads --------------------------------------------------------------------------


def test_two_and_a_half_pigs_are_refused_at_application_and_nothing_is_written(users):
    h = fresh_household(VILLAGE, "半头户")
    before = db.session.query(SubsidyCase).count()
    body = {"household_id": h.id, "industry": "pig", "quantity": "2.5", "consent": True}
    with pytest.raises(Invalid) as refused:
        service.apply_for_subsidy(users["clerk"], body)
    reason = refused.value.errors["quantity"][0]
    assert reason.code == "quantity.whole_units" and "头" in reason.zh and "2.5" in reason.zh
    db.session.rollback()
    assert db.session.query(SubsidyCase).count() == before


def test_a_fraction_of_100_birds_is_refused_at_verification_and_a_fraction_of_a_mu_is_not(users):
    h = fresh_household(VILLAGE, "禽户")
    kw = dict(
        start=date(2026, 3, 2), clerk=users["clerk"], verifier=users["approver"], approver=users["approver2"]
    )
    birds = make_case(h, "applied", industry="poultry", quantity="3", **kw)
    with business_date(date(2026, 3, 3)), pytest.raises(Invalid) as refused:
        service.verify_case(users["approver"], birds.id, {"verified_quantity": "2.5"})
    assert refused.value.errors["verified_quantity"][0].code == "quantity.whole_units"
    db.session.rollback()
    assert held(h.id, "2026") == D("0.00")
    tea = make_case(fresh_household(VILLAGE, "茶户"), "verified", industry="tea", quantity="2.5", **kw)
    assert tea.amount == D("1250.00")  # 2.5 亩 × 500


# --- point 12: the cap shown ------------------------------------------------------------------------


def test_eighteen_pigs_are_3000_capped_and_the_computation_says_so(users):
    from loanflow.subsidies.domain.amounts import amount_working

    h = fresh_household(VILLAGE, "十八头户")
    case = make_case(
        h,
        "verified",
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
        industry="pig",
        quantity="18",
    )
    assert case.amount == D("3000.00") and case.computation["gross"] == "3600.00"
    assert amount_working(case.computation, "头") == "18 头 × 200 = 3,600, 封顶 3,000"
    assert amount_working(case.computation, "head", "en") == "18 head × 200 = 3,600, capped at 3,000"
