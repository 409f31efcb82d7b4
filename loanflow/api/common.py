"""Pieces every API blueprint uses: the current user, paging, the problem+json schema."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from marshmallow import INCLUDE, ValidationError, fields, pre_dump, validate

from loanflow.api.errors import _flatten
from loanflow.api.schema import Schema
from loanflow.core.errors import Invalid, msg


def current_user():
    return g.user


class Shown:
    """An object with what its response shows beside its own attributes, each read once per
    response (``Shown(loan, whole=True).whole``; anything else is the loan's)."""

    def __init__(self, obj: Any, **extra: Any):
        self.__dict__.update(extra, _obj=obj)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_obj"], name)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1, max=500))


def page_size(args: dict) -> int:
    return args.get("per_page") or current_app.config["PAGE_SIZE"]


NUL = "\x00"


def _nul_fields(value: Any, path: str, found: list[str]) -> None:
    if isinstance(value, str):
        if NUL in value:
            found.append(path or "_body")
    elif isinstance(value, dict):
        for key, sub in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                found.append(where)
            _nul_fields(sub, where, found)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _nul_fields(sub, f"{path}[{i}]", found)


MAX_JSON_DEPTH = 32  # the deepest body the API takes (a policy document) is 5 levels
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes) -> int:
    """How deeply a JSON text nests its arrays and objects, counted without parsing it (strings skipped)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub(b"", body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def refuse_deep_json() -> None:
    """A JSON body nested deeper than ``MAX_JSON_DEPTH`` is a 422, before anything parses it.

    Python's parser (and every walk over the result) recurses: ~1,000 levels raised RecursionError,
    a 500. Registered for every request, ahead of ``refuse_nul_bytes``, which reads the body first.
    """
    if request.is_json and json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
        raise Invalid(
            {
                "_body": [
                    msg(
                        f"JSON 嵌套不能超过 {MAX_JSON_DEPTH} 层",
                        f"The JSON body may nest at most {MAX_JSON_DEPTH} levels",
                    )
                ]
            }
        )


def refuse_nul_bytes() -> None:
    """A NUL character (U+0000) in the query string, a form or the JSON body is a 422 naming the field.

    No name, reason, code or note has one, and PostgreSQL cannot store one (it
    would be a 500). Registered for every request of the app (API and pages).
    """
    found: list[str] = []
    forms = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    for source in (request.args, request.form) if forms else (request.args,):  # else the form is empty
        for key, value in source.items(multi=True):
            if NUL in key or NUL in value:
                found.append(key)
    if request.is_json:
        _nul_fields(request.get_json(silent=True), "", found)
    if found:
        why = msg("不能包含空字符（U+0000）", "must not contain a NUL character (U+0000)")
        raise Invalid({field: [why] for field in found})


def load_body(schema: type[Schema]) -> dict:
    """Parse the JSON body after the case's own checks; refusals name every field (422)."""
    payload = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(payload, dict):
        raise Invalid({"_body": [msg("请求体须为 JSON 对象", "The body must be a JSON object")]})
    try:
        return schema().load(payload)
    except ValidationError as e:
        errors = _flatten({"json": e.messages})
        raise Invalid({field: [msg(m, m) for m in ms] for field, ms in errors.items()}) from e


def paged(items: list, total: int, args: dict) -> dict:
    """The page envelope; ``total_capped`` is true when ``total`` is a floor ("1,000+"): the service
    stopped counting (``core.paging.Count``) and there are more rows than ``total``."""
    capped = bool(getattr(total, "capped", False))
    return {
        "items": items,
        "total": int(total),
        "total_capped": capped,
        "page": args["page"],
        "per_page": page_size(args),
    }


def page_of(item: type[Schema], name: str, prepare: Callable[[list], list] | None = None) -> type[Schema]:
    """The envelope of a paged list: ``items`` dumped with ``item``, ``total``, ``total_capped``, ``page``,
    ``per_page``.

    ``prepare(items)``, when given, runs once before the items are dumped (to read what every
    row shows, such as the policy in force, once for the page).
    """

    def _prepare(self, data: dict, **kwargs) -> dict:
        return {**data, "items": prepare(data["items"])} if prepare else data

    attrs = {
        "items": fields.List(fields.Nested(item)),
        "total": fields.Integer(),
        "total_capped": fields.Boolean(
            metadata={
                "description": "true: there are more rows than `total` (the count stops 1,000 past the page)"
            }
        ),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
        "_prepare": pre_dump(_prepare),
        "__doc__": f"A page of {item.__name__.removesuffix('Out')} rows and how many there are in all.",
    }
    return type(name, (Schema,), attrs)


class ProblemOut(Schema):
    """Every error of the API, as RFC 9457 problem details (``application/problem+json``).

    ``errors`` names each refused field (422); ``allowed_actions`` and ``state`` come with a 409;
    an import refused whole adds its ``report``.
    """

    class Meta:
        unknown = INCLUDE  # a problem may carry more members than these (RFC 9457 §3.2)

    type = fields.String()
    status = fields.Integer()
    title = fields.String()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    reasons = fields.List(fields.Dict())
    allowed_actions = fields.List(fields.String())
    state = fields.String()
