"""The stalled queue and the presses list cost the same few statements for 5 rows as for 50."""

from __future__ import annotations

from datetime import date

import pytest

from loanflow.core.clock import business_date
from loanflow.subsidies.testing.factories import applied_cases
from loanflow.testing.querycount import statements

pytestmark = pytest.mark.bare_demo  # only the cases made here

LATER = date(2027, 1, 29)  # past the due date the factory gives its cases (31 December)


def test_a_page_of_fifty_stalled_cases_costs_the_same_few_statements_as_a_page_of_five(client, login):
    applied_cases(50)
    headers = login("supervisor")
    with business_date(LATER):
        with statements() as five:
            r = client.get("/api/v1/stalled?per_page=5", headers=headers)
        assert r.status_code == 200 and len(r.json["items"]) == 5 and r.json["total"] == 50
        with statements() as fifty:
            r = client.get("/api/v1/stalled?per_page=50", headers=headers)
    assert r.status_code == 200 and len(r.json["items"]) == 50
    assert all(item["must_act"] and item["household"] for item in r.json["items"])
    assert len({item["village_code"] for item in r.json["items"]}) > 30
    assert len(fifty) == len(five) <= 16, "\n".join(s[:150] for s in fifty)


def test_a_page_of_presses_costs_the_same_statements_for_five_and_fifty(client, login):
    applied_cases(50)
    headers = login("supervisor")
    with business_date(LATER):
        ids = [i["case_id"] for i in client.get("/api/v1/stalled?per_page=50", headers=headers).json["items"]]
        for case_id in ids:
            assert (
                client.post(
                    f"/api/v1/subsidies/{case_id}/press", json={"note": "催办"}, headers=headers
                ).status_code
                == 201
            )
        with statements() as five:
            assert len(client.get("/api/v1/presses?per_page=5", headers=headers).json["items"]) == 5
        with statements() as fifty:
            assert len(client.get("/api/v1/presses?per_page=50", headers=headers).json["items"]) == 50
    assert len(fifty) == len(five) <= 10, fifty
