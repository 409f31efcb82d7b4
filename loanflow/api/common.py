"""Pieces every API blueprint uses: the current user, paging, labels."""

from __future__ import annotations

from flask import current_app, g
from marshmallow import Schema, fields, validate

from loanflow.api.errors import language
from loanflow.domain.labels import label


def current_user():
    return g.user


def with_label(data: dict, field: str, kind: str) -> None:
    """``"status": "not_out"`` gains ``"status_label": "未脱贫"`` (English when asked for)."""
    code = data.get(field)
    data[f"{field}_label"] = label(kind, code, language()) if code else None


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1, max=500))

    def page_size(self, args: dict) -> int:
        return args.get("per_page") or current_app.config["PAGE_SIZE"]


def page_size(args: dict) -> int:
    return args.get("per_page") or current_app.config["PAGE_SIZE"]


def paged(items: list, total: int, args: dict) -> dict:
    return {"items": items, "total": total, "page": args["page"], "per_page": page_size(args)}
