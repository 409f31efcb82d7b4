"""The household cap: reserved at verification, re-checked at approval under a lock, released on the way out.

The concurrency tests race real threads, each with its own app context and
database connection (run them on PostgreSQL with TEST_DATABASE_URL too).
"""

import threading
from datetime import date
from decimal import Decimal

import pytest

from loanflow.accounts.models import User
from loanflow.core import uow
from loanflow.core.errors import Invalid, ServiceError
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


def held(household_id, period="2026"):
    db.session.expire_all()
    row = db.session.get(SubsidyCap, (household_id, period))
    return row.reserved if row else D("0.00")


def case(users, h, state, start=date(2026, 3, 2), **kw):
    return make_case(
        h,
        state,
        start=start,
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
        **kw,
    )


def test_the_cap_is_reached_across_two_cases_and_a_third_gets_nothing(users):
    h = fresh_household(VILLAGE, "上限户")
    first = case(users, h, "verified", industry="kiwi", quantity="3")  # 2400.00
    second = case(users, h, "verified", industry="pig", quantity="5")  # 1000.00, 600.00 left
    assert first.amount == D("2400.00")
    assert second.amount == D("600.00")
    assert second.computation["reserved_before"] == "2400.00" and second.computation["capped"] is True
    assert held(h.id) == D("3000.00")
    third = case(users, h, "applied")
    with pytest.raises(Invalid) as refused:
        service.verify_case(users["approver"], third.id, {"verified_quantity": "1"})
    assert "3000.00" in refused.value.errors["verified_quantity"][0].zh
    assert db.session.get(SubsidyCase, third.id).state == "applied"


def test_a_new_year_brings_a_new_cap(users):
    h = fresh_household(VILLAGE, "新年户")
    case(users, h, "verified", industry="kiwi", quantity="4")  # 3200 → 3000 in 2026
    assert held(h.id) == D("3000.00")
    later = case(users, h, "verified", start=date(2027, 3, 1), industry="pig", quantity="5")
    assert later.amount == D("1000.00") and later.cap_period == "2027"
    assert held(h.id, "2027") == D("1000.00") and held(h.id) == D("3000.00")


def test_a_campaign_cap_spans_years(users, app):
    from loanflow.policy.services import current_policy, publish_policy

    document = current_policy().document | {}
    document = {
        **document,
        "subsidy": {**document["subsidy"], "cap_period": "campaign", "campaign": "2026-2027"},
    }
    publish_policy(None, document, "campaign cap")
    h = fresh_household(VILLAGE, "攻坚户")
    case(users, h, "verified", industry="kiwi", quantity="3")
    later = case(users, h, "verified", start=date(2027, 3, 1), industry="pig", quantity="5")
    assert later.cap_period == "campaign:2026-2027" and later.amount == D("600.00")


@pytest.mark.parametrize("action,actor", [("reject", "approver"), ("withdraw", "clerk")])
def test_rejecting_or_withdrawing_releases_the_reservation(users, action, actor):
    h = fresh_household(VILLAGE, "释放户")
    c = case(users, h, "publicized", industry="kiwi", quantity="3")
    assert held(h.id) == D("2400.00")
    service.close_case(users[actor], c.id, action, "农户放弃")
    assert held(h.id) == D("0.00")
    closed = db.session.get(SubsidyCase, c.id)
    assert (
        closed.state == {"reject": "rejected", "withdraw": "withdrawn"}[action] and closed.reserved is False
    )
    assert publicity_service.publicity_entries(closed.publicity) == []


def test_an_approval_in_the_next_year_moves_the_reservation_to_that_year(users):
    enter_calendar_year(2027, NEW_YEAR_2027["holidays"])
    h = fresh_household(VILLAGE, "跨年审批")
    c = case(users, h, "publicized", start=date(2026, 12, 24), industry="pig", quantity="5")
    with business_date(c.publicity.approval_opens_on):
        assert c.publicity.approval_opens_on == date(2027, 1, 5)
        service.approve_case(users["approver2"], c.id)
    assert held(h.id, "2026") == D("0.00") and held(h.id, "2027") == D("1000.00")
    assert db.session.get(SubsidyCase, c.id).cap_period == "2027"


def test_an_approval_in_the_next_year_is_capped_by_what_that_year_has_left(users):
    enter_calendar_year(2027, NEW_YEAR_2027["holidays"])
    h = fresh_household(VILLAGE, "超限户")
    c = case(users, h, "publicized", start=date(2026, 12, 24), industry="kiwi", quantity="3")  # 2400 in 2026
    case(users, h, "verified", start=date(2027, 1, 4), industry="kiwi", quantity="1")  # 800 in 2027
    with business_date(c.publicity.approval_opens_on):
        service.approve_case(users["approver2"], c.id)
    approved = db.session.get(SubsidyCase, c.id)
    assert approved.amount == D("2200.00")  # 2400 asked, 3000 - 800 left in 2027
    assert approved.computation["gross"] == "2400.00" and approved.computation["capped"] is True
    assert (
        approved.computation["reserved_before"] == "800.00" and approved.computation["cap_period"] == "2027"
    )
    assert held(h.id, "2026") == D("0.00") and held(h.id, "2027") == D("3000.00")


def test_an_approval_in_a_year_whose_cap_is_used_up_is_refused_with_the_figures(users):
    enter_calendar_year(2027, NEW_YEAR_2027["holidays"])
    h = fresh_household(VILLAGE, "用尽户")
    c = case(users, h, "publicized", start=date(2026, 12, 24), industry="kiwi", quantity="3")  # 2400 in 2026
    case(users, h, "verified", start=date(2027, 1, 4), industry="kiwi", quantity="4")  # 3000 (capped) in 2027
    with business_date(c.publicity.approval_opens_on), pytest.raises(Invalid) as refused:
        service.approve_case(users["approver2"], c.id)
    assert (
        "3000.00" in refused.value.errors["amount"][0].en and "2027" in refused.value.errors["amount"][0].en
    )
    assert held(h.id, "2026") == D("2400.00") and held(h.id, "2027") == D("3000.00")


def _race(app, jobs):
    """Run ``jobs`` (callables taking no argument) at the same moment, each in its own app context."""
    uow.commit()  # the test's own transaction would hold SQLite's write lock; the racers read its cases
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = job()
                uow.commit()
            except ServiceError as e:
                results[i] = e
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.truncate  # threads racing through connections of their own
def test_verifications_of_one_household_at_the_same_moment_share_the_cap_exactly(app, users):
    """Three racing verifications of 1200.00 with 2600.00 left: 1200, 1200 and the last 200 — all served."""
    approver_id = users["approver"].id
    for round_ in range(3):
        h = fresh_household(VILLAGE, f"并发户{round_}")
        case(users, h, "verified", industry="pig", quantity="2")  # 400.00: the cap row exists already
        ids = [case(users, h, "applied", industry="kiwi", quantity="1.5").id for _ in range(3)]

        def verify(cid):
            return lambda: (
                service.verify_case(
                    db.session.get(User, approver_id), cid, {"verified_quantity": "1.5"}
                ).amount
            )

        results = _race(app, [verify(cid) for cid in ids])
        assert sorted(results) == [D("200.00"), D("1200.00"), D("1200.00")], results
        assert held(h.id) == D("3000.00")


@pytest.mark.truncate  # threads racing through connections of their own
def test_two_approvals_of_one_household_at_the_same_moment_never_pass_the_new_year_cap(app, users):
    enter_calendar_year(2027, NEW_YEAR_2027["holidays"])
    h = fresh_household(VILLAGE, "并发审批")
    a = case(
        users, h, "publicized", start=date(2026, 12, 24), industry="kiwi", quantity="2.5"
    )  # 2000 in 2026
    b = case(users, h, "publicized", start=date(2026, 12, 24), industry="tea", quantity="2")  # 1000 in 2026
    opens = a.publicity.approval_opens_on
    case(users, h, "verified", start=date(2027, 1, 4), industry="pig", quantity="5")  # 1000 in 2027
    county_id = users["approver2"].id
    app.config["LOANFLOW_TODAY"], saved = opens, app.config["LOANFLOW_TODAY"]
    try:
        results = _race(
            app,
            [
                lambda cid=cid: service.approve_case(db.session.get(User, county_id), cid).amount
                for cid in (a.id, b.id)
            ],
        )
    finally:
        app.config["LOANFLOW_TODAY"] = saved
    if isinstance(results[1], Invalid):  # a went first: its 2000 fits, nothing is left for b
        assert results[0] == D("2000.00"), results
        assert held(h.id, "2026") == D("1000.00")  # b keeps its reservation of 2026
    else:  # b went first: 1000, then a is capped to the 1000 left
        assert results == [D("1000.00"), D("1000.00")], results
        assert held(h.id, "2026") == D("0.00")
    assert held(h.id, "2027") == D("3000.00")  # never past the cap
