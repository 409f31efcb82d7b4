"""The API's compiled dumps answer exactly what marshmallow answers, field kind by field kind."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import marshmallow
import pytest
from marshmallow import fields, missing, pre_dump

from loanflow.api import schema as compiled
from loanflow.api.fields import DecimalString, Label, MoneyOut
from loanflow.api.schema import CompiledDumpMismatch, Schema


def _read(obj, name):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


class Inner(Schema):
    name = fields.String()
    n = fields.Integer(attribute="count")


def _fields() -> dict:
    return {
        "id": fields.Integer(),
        "as_text": fields.Integer(as_string=True, attribute="id", dump_only=True),
        "name": fields.String(),
        "nothing": fields.String(allow_none=True),
        "flag": fields.Boolean(),
        "on": fields.Date(),
        "at": fields.DateTime(),
        "amount": MoneyOut(),
        "rate": DecimalString(),
        "state": fields.String(),
        "state_label": Label("loan_state", "state"),
        "due": MoneyOut(attribute="money.due"),  # a dotted path
        "absent": fields.String(),  # no such attribute: the key is left out
        "defaulted": fields.String(dump_default="—"),
        "keyed": fields.String(attribute="name", data_key="called", dump_only=True),
        "method": fields.Method("_shout"),
        "function": fields.Function(lambda o: _read(o, "id") * 2),
        "inner": fields.Nested(Inner),
        "inners": fields.List(fields.Nested(Inner)),
        "raw": fields.Dict(),
    }


class Plain(marshmallow.Schema):
    locals().update(_fields())

    def _shout(self, obj):
        return _read(obj, "name").upper()


class Fast(Schema):
    locals().update(_fields())

    def _shout(self, obj):
        return _read(obj, "name").upper()


def _thing(**over):
    base = {
        "id": 7,
        "name": "王芳",
        "nothing": None,
        "flag": True,
        "on": date(2026, 3, 10),
        "at": datetime(2026, 3, 10, 8, 30, tzinfo=UTC),
        "amount": Decimal("50000"),
        "rate": Decimal("0.0435"),
        "state": "applied",
        "money": SimpleNamespace(due=Decimal("12.5")),
        "inner": SimpleNamespace(name="a", count=1),
        "inners": [SimpleNamespace(name="b", count=2), SimpleNamespace(name="c", count=3)],
        "raw": {"x": 1},
    }
    return base | over


@pytest.mark.parametrize(
    "obj",
    [
        SimpleNamespace(**_thing()),  # an object: attributes
        _thing(),  # a dict: keys first
        SimpleNamespace(**_thing(amount=None, rate=None, flag=0, on=None, inner=None, state="")),
    ],
    ids=["object", "dict", "nulls"],
)
def test_a_compiled_dump_equals_marshmallows(app, obj):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        ours, theirs = Fast().dump(obj), Plain().dump(obj)
    assert ours == theirs
    assert "absent" not in ours and ours["defaulted"] == "—" and ours["called"] == "王芳"
    if isinstance(obj, SimpleNamespace) and obj.amount is not None:
        assert ours["amount"] == "50000.00" and ours["due"] == "12.50" and ours["state_label"] == "Applied"


def test_many_and_only_and_hooks_go_through_marshmallow(app):
    class Hooked(Schema):
        id = fields.Integer()
        name = fields.String()

        @pre_dump(pass_collection=False)
        def _wrap(self, obj, **kwargs):
            return {"id": obj["id"] + 1, "name": obj["name"]}

    rows = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    assert Hooked(many=True).dump(rows) == [{"id": 2, "name": "a"}, {"id": 3, "name": "b"}]
    assert Hooked(only=("name",)).dump(rows[0]) == {"name": "a"}


def test_the_check_catches_a_compiled_dump_that_differs(app, monkeypatch):
    wrong = lambda schema: lambda obj: {"id": -1}  # noqa: E731
    monkeypatch.setattr(compiled, "_compile", wrong)
    was = compiled.checking(True)
    try:
        with pytest.raises(CompiledDumpMismatch, match="Inner"):
            Inner().dump({"name": "a", "count": 1})
    finally:
        compiled.checking(was)


def test_an_attribute_missing_from_an_object_is_left_out_as_marshmallow_does(app):
    assert Inner().dump(SimpleNamespace(name="a")) == {"name": "a"}
    assert Inner().dump({"name": "a", "count": missing}) == {"name": "a"}
