"""The stalled queue's work bounded by its page (issue 11 at a million cases): the total that stops
counting and says so, the township filter as a code range, and the dead ends found by a screen of the
staff that must find exactly what judging every waiting case one by one finds."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from loanflow.core import paging, uow
from loanflow.core.clock import business_date
from loanflow.core.regions import Region
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.loans.testing.factories import deposit, drive, fresh_households, open_loan
from loanflow.policy.services import current_policy
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.testing.factories import applied_cases, make_case
from loanflow.supervision.cases import PRODUCTS
from loanflow.supervision.services import dead_ends as dead_ends_module
from loanflow.supervision.services.acting import Staff, who_must_act
from loanflow.supervision.services.dead_ends import dead_ends, find_dead_ends
from loanflow.supervision.services.stalled import Filters, all_stalled, stalled_queue

pytestmark = pytest.mark.bare_demo

LATER = date(2027, 1, 29)  # past the due date ``applied_cases`` gives (31 December)


@pytest.fixture
def county(demo, users):
    deposit("341503", "1000000.00", date(2025, 12, 1))
    return users


# --- the total ----------------------------------------------------------------------------------------


def test_the_total_stops_counting_past_the_cap_and_the_api_and_the_page_say_so(
    client, login, page_as, monkeypatch
):
    applied_cases(60)
    headers = login("supervisor")
    with business_date(LATER):
        whole = client.get("/api/v1/stalled?per_page=10", headers=headers).json
        assert whole["total"] == 60 and whole["total_capped"] is False
        monkeypatch.setattr(paging, "COUNT_CAP", 5)  # a county with more stalled cases than the cap
        first = client.get("/api/v1/stalled?per_page=10", headers=headers).json
        third = client.get("/api/v1/stalled?per_page=10&page=3", headers=headers).json
        html = page_as("supervisor").get("/supervision/stalled").get_data(as_text=True)
        export = client.get("/api/v1/stalled?format=xlsx", headers=headers)
    assert first["total"] == 15 and first["total_capped"] is True and len(first["items"]) == 10
    assert third["total"] == 35 and third["total_capped"] is True  # always reaches past the page asked
    assert [i["case_id"] for i in first["items"]] == [i["case_id"] for i in whole["items"]]
    assert "共 55+ 件超期案件" in html  # the page's 50 and 5 more: "55+"
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert sheet.max_row - 2 == 60  # a title, the headers, and the whole queue, however far the count went


def test_a_total_under_the_cap_is_exact_and_shown_without_a_plus(page_as, monkeypatch):
    applied_cases(3)
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    with business_date(LATER):
        html = page_as("supervisor").get("/supervision/stalled").get_data(as_text=True)
    assert "共 3 件超期案件" in html


# --- the township filter --------------------------------------------------------------------------


def test_the_township_filter_is_a_code_range_that_stops_at_the_next_township(county):
    """341503001's range is [341503001, 341503002): a village of 341503010 sorts after 341503001… as a
    string but belongs to another township (the demo county has eleven); 341503001's own villages are
    all in."""
    assert db.session.get(Region, "341503010001") is not None
    applied_cases(6)
    moved = db.session.scalars(select(SubsidyCase).order_by(SubsidyCase.id)).first()
    moved.village_code = "341503010001"
    uow.commit()
    sup = county["supervisor"]
    with business_date(LATER):
        everything = {r.case_id: r.village_code for r in stalled_queue(sup)[0]}
        first = {r.case_id for r in stalled_queue(sup, Filters(township="341503001"))[0]}
        tenth = {r.case_id for r in stalled_queue(sup, Filters(township="341503010"))[0]}
        village = {r.case_id for r in stalled_queue(sup, Filters(village="341503010001"))[0]}
    assert tenth == village == {moved.id}
    assert first == {i for i, code in everything.items() if code.startswith("341503001")}
    assert first and moved.id not in first and len(everything) == 6


# --- dead ends --------------------------------------------------------------------------------------


def judged_one_by_one(user, today: date) -> set[tuple[str, int]]:
    """Every waiting case of the user's region judged by ``who_must_act``: what the screen must equal."""
    staff, policy, dead = Staff({user.region_code[:6]}), current_policy(), set()
    for name, p in PRODUCTS.items():
        now = p.engine.moment(policy=policy, today=today)
        waiting = select(p.model).where(
            p.model.stage_due_on.is_not(None), village_filter(user, p.model.village_code)
        )
        dead |= {(name, c.id) for c in db.session.scalars(waiting) if who_must_act(p, c, staff, now).dead_end}
    return dead


def screened(user, today: date) -> set[tuple[str, int]]:
    return {(r.case_type, r.case_id) for r in dead_ends(user, today)}


@pytest.mark.parametrize("refused_rows", [1000, 0], ids=["guard rows as keys", "guard rows as a subquery"])
def test_the_dead_end_screen_finds_what_judging_every_waiting_case_finds(
    county, township_supervisor, monkeypatch, refused_rows
):
    monkeypatch.setattr(dead_ends_module, "REFUSED_ROWS", refused_rows)
    clerk, clerk2 = county["clerk"], county["clerk2"]
    with business_date(date(2026, 2, 2)):
        rated = drive(
            open_loan(clerk, fresh_households(clerk.region_code)[0]), "rated", officer=county["officer"]
        )
        credited_a = drive(
            open_loan(clerk, fresh_households(clerk.region_code)[1]), "credited", officer=county["officer"]
        )
        credited_b = drive(
            open_loan(clerk2, fresh_households(clerk2.region_code)[0]), "credited", officer=county["officer3"]
        )
    subsidy = make_case(
        fresh_households(clerk.region_code)[2],
        "publicized",
        start=date(2026, 2, 2),
        clerk=clerk,
        verifier=county["approver"],
        approver=county["approver2"],
    )
    publicity = subsidy.publicity
    sup, sup_b = county["supervisor"], township_supervisor
    day = date(2026, 3, 10)

    def check(today: date, expected: set) -> None:
        assert screened(sup, today) == judged_one_by_one(sup, today) == expected
        assert screened(sup_b, today) == judged_one_by_one(sup_b, today)

    dead_b = ("loan", credited_b.id)  # credited by the only officer of branch B
    check(day, {dead_b})
    assert screened(sup_b, day) == {dead_b}

    county["officer2"].active = False  # branch A keeps only the officer who credited credited_a
    uow.commit()
    check(day, {dead_b, ("loan", credited_a.id)})
    assert ("loan", rated.id) not in screened(sup, day)  # the officer left may still credit it

    county["approver2"].active = False  # no county approver: the subsidy waits on the 公示's guards
    uow.commit()
    while_running = publicity.end_on  # the township's approver may still record an objection
    check(while_running, {dead_b, ("loan", credited_a.id)})
    d = publicity.end_on + timedelta(days=1)
    while d <= publicity.approval_opens_on + timedelta(days=3):  # the gap before approval, and after
        check(d, {dead_b, ("loan", credited_a.id), ("subsidy", subsidy.id)})
        d += timedelta(days=1)


def test_the_dead_ends_listed_stop_at_the_limit_and_the_count_says_there_are_more(county):
    for n in range(3):
        drive(
            open_loan(county["clerk2"], fresh_households(county["clerk2"].region_code)[n]),
            "credited",
            officer=county["officer3"],
        )
    sup = county["supervisor"]
    some, every = find_dead_ends(sup, limit=2), find_dead_ends(sup, limit=5)
    assert len(some.rows) == 2 and some.count == 2 and some.count.capped
    assert len(every.rows) == 3 and every.count == 3 and not every.count.capped
    assert [r.case_id for r in some.rows] == [r.case_id for r in every.rows[:2]]


def test_the_home_says_how_many_dead_ends_and_the_api_whether_it_stopped(client, login, page_as, county):
    drive(
        open_loan(county["clerk2"], fresh_households(county["clerk2"].region_code)[0]),
        "credited",
        officer=county["officer3"],
    )
    home = client.get("/api/v1/supervision/summary", headers=login("supervisor")).json
    assert home["dead_end_count"] == 1 and home["dead_ends_capped"] is False
    assert home["stalled"] == 0 and home["stalled_capped"] is False
    assert 'id="n-dead">1<' in page_as("supervisor").get("/supervision").get_data(as_text=True)


def test_the_export_lists_the_same_rows_as_the_pages_in_the_same_order(county):
    applied_cases(12)
    sup = county["supervisor"]
    with business_date(LATER):
        pages = [r.case_id for n in (1, 2, 3) for r in stalled_queue(sup, page=n, per_page=5)[0]]
        assert [r.case_id for r in all_stalled(sup)] == pages and len(pages) == 12
