"""The supervisor's first page of the stalled queue and home cost a fixed number of statements, pinned so
that a statement per case (or per township) cannot creep back (issue 11 at a million cases)."""

from __future__ import annotations

from datetime import date

import pytest

from loanflow.core.clock import business_date
from loanflow.subsidies.testing.factories import applied_cases
from loanflow.testing.querycount import request_sql, statements

pytestmark = pytest.mark.bare_demo  # only the cases made here

LATER = date(2027, 1, 29)  # past the due date the factory gives its cases (31 December)


def _first_page(client, headers, n: int) -> list[str]:
    with business_date(LATER):
        client.get("/api/v1/stalled", headers=headers)
        with statements() as seen:
            r = client.get("/api/v1/stalled", headers=headers)
    assert r.status_code == 200 and len(r.json["items"]) == n
    return request_sql(seen)


# token and user (1); calendar (1); the capped count (1); the page's keys, each product (2); the page's
# subsidy cases (1: no loan on it, no 公示 list yet); the staff with branches and their townships (3);
# the household heads (1); the region names (1); the presses (1); the policy (1)
FIRST_PAGE = 13


def test_the_first_page_of_the_stalled_queue_costs_the_same_statements_for_a_few_cases_and_fifty(
    client, login
):
    headers = login("supervisor")
    applied_cases(3)
    few = _first_page(client, headers, 3)
    applied_cases(47)
    fifty = _first_page(client, headers, 50)
    assert len(few) == len(fifty) == FIRST_PAGE, "\n".join(s[:150] for s in fifty)


# the first page's (for the ten most overdue), then the dead-end screen: the staff (3), the townships
# (1), the policy (1), the loans' candidate states (1), the 公示 lists short of approval (1, none: no
# subsidy case is read); the open problems (1) and the unanswered presses (1)
HOME = FIRST_PAGE + 9


def test_the_home_costs_the_same_statements_for_a_few_cases_and_fifty(client, login):
    headers = login("supervisor")
    applied_cases(3)
    counts = []
    for more in (0, 47):
        applied_cases(more) if more else None
        with business_date(LATER):
            client.get("/api/v1/supervision/summary", headers=headers)
            with statements() as seen:
                r = client.get("/api/v1/supervision/summary", headers=headers)
        assert r.status_code == 200 and r.json["dead_end_count"] == 0
        counts.append(len(request_sql(seen)))
    assert counts == [HOME, HOME], counts
