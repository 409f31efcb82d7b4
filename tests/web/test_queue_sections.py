"""The home shows each section's most urgent rows, no more than ``HOME_ROWS``; a longer section says
so and links to its own page, which shows it whole in the same order, and only the reader's region."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from loanflow.extensions import db
from loanflow.subsidies import queue as subsidy_queue
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.testing.factories import applied_cases, fresh_household, make_case
from loanflow.web import queue

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases

SUBSIDIES = f"/queue/{subsidy_queue.POSITION}"
FIRST_SHOWN = "显示最紧急的前"


def case_numbers(html: str) -> list[str]:
    """The subsidy cases a page lists, top to bottom."""
    return re.findall(r">(JB-\d{4}-\d{6})</a>", html)


def waiting_cases(n: int) -> list[SubsidyCase]:
    """``n`` applied cases across the county's villages, their deadlines shuffled against their ids:
    most urgent first is the deadline's order, then the id's."""
    applied_cases(n)
    cases = db.session.scalars(select(SubsidyCase).order_by(SubsidyCase.id.desc()).limit(n)).all()
    for i, c in enumerate(cases):
        db.session.execute(
            update(SubsidyCase)
            .where(SubsidyCase.id == c.id)
            .values(stage_due_on=date(2026, 3, 2) + timedelta(days=(i * 7) % 11))
        )
    db.session.commit()
    return sorted(cases, key=lambda c: (c.stage_due_on, c.id))


def test_a_long_section_shows_its_first_rows_on_the_home_and_links_to_all_of_them(page_as):
    cases = waiting_cases(queue.HOME_ROWS + 5)
    in_order = [c.case_number for c in cases]
    approver = page_as("approver2")  # the county's approver: every case is theirs to verify
    home = approver.get("/").get_data(as_text=True)
    assert case_numbers(home) == in_order[: queue.HOME_ROWS]
    assert f"{FIRST_SHOWN} {queue.HOME_ROWS} 条" in home
    assert f'<a href="{SUBSIDIES}">待办产业奖补</a> <span class="count">{queue.HOME_ROWS}+</span>' in home
    r = approver.get(SUBSIDIES)
    whole = r.get_data(as_text=True)
    assert r.status_code == 200 and "<h1>待办产业奖补" in whole
    assert case_numbers(whole) == in_order  # all of them, the home's first
    assert FIRST_SHOWN not in whole and f'href="{SUBSIDIES}"' not in whole
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', whole) == ["/"]  # in the menu: 待办


def test_a_short_section_is_shown_whole_without_a_link(page_as):
    cases = waiting_cases(queue.HOME_ROWS + 5)
    township = [c.case_number for c in cases if c.village_code.startswith("341503001")]
    assert 0 < len(township) <= queue.HOME_ROWS
    home = page_as("approver").get("/").get_data(as_text=True)  # 杨审核, of the first township
    assert case_numbers(home) == township
    assert FIRST_SHOWN not in home and "/queue/" not in home
    assert '<h2>待办产业奖补 <span class="count">' in home


def test_the_section_page_shows_only_the_readers_region(page_as):
    cases = waiting_cases(queue.HOME_ROWS + 5)
    for username, township in (("approver", "341503001"), ("approver3", "341503002")):
        whole = page_as(username).get(SUBSIDIES).get_data(as_text=True)
        theirs = [c.case_number for c in cases if c.village_code.startswith(township)]
        assert theirs and case_numbers(whole) == theirs, username


def test_a_section_with_nothing_for_the_reader_says_so_and_an_unknown_one_is_not_found(page_as, browser):
    waiting_cases(3)
    officer = page_as("officer")  # a bank officer verifies no subsidy
    r = officer.get(SUBSIDIES)
    assert r.status_code == 200 and "目前没有等待您办理的事项" in r.get_data(as_text=True)
    assert case_numbers(r.get_data(as_text=True)) == []
    assert officer.get("/queue/999").status_code == 404
    r = browser.get(SUBSIDIES)
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_the_section_page_stops_at_its_limit_and_says_so(page_as, monkeypatch):
    cases = waiting_cases(8)
    monkeypatch.setattr(queue, "QUEUE_LIMIT", 5)
    whole = page_as("approver2").get(SUBSIDIES).get_data(as_text=True)
    assert case_numbers(whole) == [c.case_number for c in cases[:5]]
    assert f"{FIRST_SHOWN} 5 条" in whole and '<span class="count">5+</span>' in whole


def test_the_home_says_first_rows_shown_in_english_too(page_as):
    waiting_cases(queue.HOME_ROWS + 1)
    approver = page_as("approver2")
    approver.get("/lang/en")
    home = approver.get("/").get_data(as_text=True)
    assert f"First {queue.HOME_ROWS} shown, most urgent first." in home and "See the whole section" in home


def test_the_county_approvers_first_rows_are_cases_they_may_approve_not_their_own_verifications(
    page_as, users, monkeypatch
):
    """Four eyes: who verified a case may not approve it. The approver's own verifications, more urgent,
    must not take the home's few rows and hide the case they may approve (nor say there are none)."""
    own = [
        make_case(
            fresh_household("341503001001", f"自核户{i}"),
            "publicized",
            start=date(2026, 2, 2),
            clerk=users["clerk"],
            verifier=users["approver2"],
            approver=users["approver2"],
        )
        for i in range(3)
    ]
    theirs = make_case(
        fresh_household("341503001001", "他核户"),
        "publicized",
        start=date(2026, 2, 9),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
    )
    assert all(c.stage_due_on <= theirs.stage_due_on for c in own)
    monkeypatch.setattr(queue, "HOME_ROWS", 2)
    home = page_as("approver2").get("/").get_data(as_text=True)
    assert theirs.case_number in case_numbers(home)
    assert not set(case_numbers(home)) & {c.case_number for c in own}
