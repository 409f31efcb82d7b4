"""A list page costs the same few statements whether it shows 5 rows or 50 (no query per row)."""

from __future__ import annotations

from loanflow.subsidies.testing.factories import applied_cases, households_in_many_villages
from loanflow.testing.querycount import statements


def test_a_page_of_fifty_households_costs_the_same_few_statements_as_a_page_of_five(client, login):
    households_in_many_villages(50)
    headers = login("approver2")
    with statements() as five:
        r = client.get("/api/v1/households?per_page=5", headers=headers)
    assert r.status_code == 200 and len(r.json["items"]) == 5
    with statements() as fifty:
        r = client.get("/api/v1/households?per_page=50", headers=headers)
    assert r.status_code == 200 and len(r.json["items"]) == 50
    assert len({h["village_code"] for h in r.json["items"]}) > 30  # many villages
    assert all(h["village_name"] for h in r.json["items"])  # each named
    assert len(fifty) == len(five) <= 8, fifty


def test_a_page_of_fifty_subsidy_cases_costs_the_same_few_statements_as_a_page_of_five(client, login):
    applied_cases(50)
    headers = login("approver2")
    with statements() as five:
        r = client.get("/api/v1/subsidies?per_page=5", headers=headers)
    assert r.status_code == 200 and len(r.json["items"]) == 5
    with statements() as fifty:
        r = client.get("/api/v1/subsidies?per_page=50", headers=headers)
    assert r.status_code == 200 and len(r.json["items"]) == 50
    assert {c["industry_label"] for c in r.json["items"]} == {"生猪", "猕猴桃", "茶叶"}
    assert len(fifty) == len(five) <= 10, fifty
