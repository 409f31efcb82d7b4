"""Lists stop counting past a cap (issue 14): the number says so ("53+" on a page, ``total_capped``
in the API), it is exact below the cap, and "is there a next page" is always right."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from loanflow.accounts.models import User
from loanflow.core import paging
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.testing.querycount import statements
from loanflow.web.present import count_text


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def visible_households(user) -> int:
    return db.session.scalar(select(func.count()).where(village_filter(user, Household.village_code)))


def test_the_api_says_when_the_household_total_stopped_counting(client, login, demo, monkeypatch):
    headers = login("approver2")  # the county: every household of the demo
    everyone = client.get("/api/v1/households?per_page=2", headers=headers).get_json()
    assert everyone["total"] > 7 and everyone["total_capped"] is False  # exact under the default cap
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    first = client.get("/api/v1/households?per_page=2", headers=headers).get_json()
    assert (first["total"], first["total_capped"]) == (7, True)  # the page's 2 and 5 past it
    assert len(first["items"]) == 2
    third = client.get("/api/v1/households?per_page=2&page=3", headers=headers).get_json()
    assert (third["total"], third["total_capped"]) == (11, True)  # always reaches past the page asked


def test_the_household_page_shows_a_capped_total_with_a_plus(page_as, demo, monkeypatch):
    c = page_as("approver2")
    shown = re.compile(r"共 (\d+\+?) 户")
    exact = shown.search(c.get("/households").get_data(as_text=True)).group(1)
    assert exact == str(visible_households(user("approver2")))  # below the cap: the number
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    html = c.get("/households").get_data(as_text=True)
    assert shown.search(html).group(1) == "23+"  # 20 a page, 3 past it; not a total that looks exact


def test_a_village_filter_is_a_code_range_that_stops_at_the_village(client, login, demo):
    headers = login("approver2")
    rows = db.session.scalars(select(Household.village_code).distinct()).all()
    village = sorted(rows)[0]
    got = client.get(f"/api/v1/households?village={village}&per_page=500", headers=headers).get_json()
    expected = db.session.scalar(select(func.count()).where(Household.village_code == village))
    assert got["total"] == expected and {h["village_code"] for h in got["items"]} == {village}
    township = village[:9]
    got = client.get(f"/api/v1/households?village={township}&per_page=500", headers=headers).get_json()
    expected = db.session.scalar(select(func.count()).where(Household.village_code.startswith(township)))
    assert got["total"] == expected and all(h["village_code"].startswith(township) for h in got["items"])


def test_a_count_prints_as_a_page_shows_it():
    assert count_text(paging.Count(1050, capped=True)) == "1,050+" and count_text(paging.Count(42)) == "42"
    assert paging.Count(1050, capped=True) + 1 == 1051  # a number for the arithmetic of pages


def selects(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith("SELECT")]


def test_a_list_filtered_after_sql_reads_on_until_it_has_its_first_rows(demo):
    """``first_kept``: what a filter in Python drops does not shorten the list, and a shorter list
    asked for is the start of a longer one; with nothing dropped, one statement."""
    stmt = select(Household).order_by(Household.id)
    ids = db.session.scalars(select(Household.id).order_by(Household.id)).all()
    odd = [i for i in ids if i % 2]

    def keep_odd(rows: list[Household]) -> list[int]:
        return [h.id for h in rows if h.id % 2]

    with statements() as seen:
        assert paging.first_kept(stmt, 4, keep_odd) == odd[:4]
    assert len(selects(seen)) == 2  # the first four rows held two odd ids: it read on
    assert [paging.first_kept(stmt, n, keep_odd) for n in (1, 3, 7)] == [odd[:1], odd[:3], odd[:7]]
    assert paging.first_kept(stmt, len(ids) + 5, keep_odd) == odd  # none left: every one kept
    with statements() as seen:
        assert paging.first_kept(stmt, 4, lambda rows: [h.id for h in rows]) == ids[:4]
    assert len(selects(seen)) == 1
