"""The API's answers are written by orjson (``core.jsonio``): UTF-8, keys sorted, every value as before."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from loanflow.core.paging import Count
from loanflow.loans.testing.factories import fresh_households, open_loan

pytestmark = pytest.mark.bare_demo


def test_an_answer_carries_chinese_as_utf8_with_its_keys_sorted(client, login, funded):
    household = fresh_households("341503001001")[0]
    loan = open_loan(funded["clerk"], household)
    r = client.get(f"/api/v1/loans/{loan.id}", headers=login("officer"))
    body = r.get_data()
    assert r.mimetype == "application/json"
    answer = r.get_json()
    assert answer["state_label"] == "已申请"
    assert "已申请".encode() in body and b"\\u" not in body  # 3 bytes a character, not a 6-byte escape
    assert list(answer) == sorted(answer)
    assert body.endswith(b"}\n") and b'": ' not in body  # compact, one line


def test_values_orjson_leaves_to_flask_read_as_they_did(app):
    @dataclass
    class Pair:
        a: int
        b: str

    value = {
        "on": date(2026, 3, 10),
        "amount": Decimal("1.50"),
        "total": Count(5, capped=True),
        "by_id": {2: Pair(1, "钱"), 10: Pair(2, "孙")},
    }
    with app.test_request_context():
        body = app.json.response(value).get_data()
        ours = json.loads(body)
        flasks = json.loads(app.json.dumps(value, sort_keys=True))  # the standard library's path
    assert body.index(b'"2"') < body.index(b'"10"')  # number keys in the standard library's order
    assert ours == flasks
    assert ours == {
        "amount": "1.50",
        "by_id": {"2": {"a": 1, "b": "钱"}, "10": {"a": 2, "b": "孙"}},
        "on": "Tue, 10 Mar 2026 00:00:00 GMT",
        "total": 5,
    }


def test_an_app_in_debug_indents_its_answers(app):
    app.debug = True
    try:
        with app.test_request_context():
            body = app.json.response({"b": 1, "a": [1]}).get_data(as_text=True)
    finally:
        app.debug = False
    assert body == '{\n  "a": [\n    1\n  ],\n  "b": 1\n}\n'
