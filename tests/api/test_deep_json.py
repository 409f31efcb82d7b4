"""A JSON body nested ~2,000 levels is refused as bad input, never a 500 (RecursionError)."""

from __future__ import annotations

import pytest

from loanflow.api.common import MAX_JSON_DEPTH, json_depth

DEEP_ARRAY = "[" * 2000 + "]" * 2000
DEEP_OBJECT = '{"a":' * 2000 + "1" + "}" * 2000


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT])
@pytest.mark.parametrize(
    "method,path",
    [("post", "/api/v1/households"), ("patch", "/api/v1/households/1"), ("post", "/api/v1/tokens")],
)
def test_a_body_nested_two_thousand_levels_is_422_naming_the_body(client, login, body, method, path):
    r = getattr(client, method)(path, data=body, content_type="application/json", headers=login("clerk"))
    assert r.status_code == 422
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert "_body" in r.json["errors"]


def test_the_depth_is_counted_outside_strings_only():
    assert json_depth(b'{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(DEEP_ARRAY.encode()) == 2000


def test_an_ordinary_nested_body_still_reaches_its_schema(client, login):
    body = {"members": [{"name": ["x" * 3]}]}
    r = client.post("/api/v1/households", json=body, headers=login("clerk"))
    assert r.status_code == 422 and "_body" not in r.json["errors"]
    assert json_depth(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) == MAX_JSON_DEPTH
