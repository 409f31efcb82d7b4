"""Turn a posted HTML form into the dict a service takes, and back; one-time form tokens.

The pages post plain forms (no JavaScript needed); input names are the
field paths the services use in their errors (``members[0].id_number``), so
an error lands next to its field. What the user typed always comes back in
``values``, even when it could not be parsed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import redirect, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from loanflow.core import once
from loanflow.core.domain.labels import codes
from loanflow.core.domain.money import MoneyError, parse_money
from loanflow.core.domain.reasons import Reason
from loanflow.core.errors import Invalid
from loanflow.extensions import db
from loanflow.web.blueprint import bp

Errors = dict[str, list]
Parsed = tuple[dict, dict, Errors]
MEMBER_INPUTS = ("name", "id_number", "no_id_reason", "relation", "labour", "phone")
MAX_MEMBER_ROWS = 30
BLANK_MEMBER_ROWS = 3
HOUSEHOLD_CODES = {
    "status": "status",
    "monitoring": "monitoring",
    "attribute": "attribute",
    "main_cause": "cause",
}
ACCOUNT_CODES = {"account_type": "account_type"}


def _required(errors: Errors, field: str) -> None:
    errors.setdefault(field, []).append(Reason(f"{field}.required", "此项必填", "This field is required"))


def _code(form: MultiDict, field: str, kind: str, values: dict, data: dict, errors: Errors) -> None:
    raw = (form.get(field) or "").strip()
    values[field] = raw
    if raw in codes(kind):
        data[field] = raw
    elif not raw:
        _required(errors, field)
    else:
        errors.setdefault(field, []).append(
            Reason(f"{field}.choice", "请从列表中选择", "Choose from the list")
        )


def _text(form: MultiDict, field: str, values: dict, data: dict, errors: Errors, required: bool) -> None:
    raw = (form.get(field) or "").strip()
    values[field] = raw
    if required and not raw:
        _required(errors, field)
    data[field] = raw


def money_field(form: MultiDict, field: str, values: dict, data: dict, errors: Errors) -> None:
    """An amount in yuan typed into a box: thousands separators and spaces are forgiven."""
    raw = (form.get(field) or "").strip()
    values[field] = raw
    try:
        data[field] = parse_money(raw.replace(",", "").replace("，", ""))
    except MoneyError as e:
        errors.setdefault(field, []).append(e.reason)


def date_field(form: MultiDict, field: str, values: dict, data: dict, errors: Errors, required: bool) -> None:
    raw = (form.get(field) or "").strip()
    values[field] = raw
    data[field] = None
    if not raw:
        if required:
            _required(errors, field)
        return
    try:
        data[field] = date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(field, []).append(
            Reason(f"{field}.date", "日期格式应为 2026-03-10", "A date looks like 2026-03-10")
        )


def members_from_form(form: MultiDict) -> list[dict[str, str]]:
    """The member rows that were filled in, in order; blank rows are dropped."""
    rows = []
    for i in range(MAX_MEMBER_ROWS):
        row = {f: (form.get(f"members[{i}].{f}") or "").strip() for f in MEMBER_INPUTS}
        if any(row[f] for f in ("name", "id_number", "no_id_reason", "phone")):
            rows.append(row)
    return rows


def household_from_form(form: MultiDict, with_account: bool = True) -> tuple[dict, dict, Errors]:
    """(values to show again, data for the service, errors found before the service is asked)."""
    values: dict[str, Any] = {}
    data: dict[str, Any] = {}
    errors: Errors = {}
    _text(form, "village_code", values, data, errors, required=True)
    _text(form, "address", values, data, errors, required=False)
    for field, kind in HOUSEHOLD_CODES.items():
        _code(form, field, kind, values, data, errors)
    date_field(form, "monitoring_set_on", values, data, errors, required=False)
    causes = [c for c in form.getlist("secondary_causes") if c in codes("cause")]
    values["secondary_causes"] = data["secondary_causes"] = causes
    money_field(form, "income_per_head", values, data, errors)
    if with_account:
        for field, kind in ACCOUNT_CODES.items():
            _code(form, field, kind, values, data, errors)
        _text(form, "bank_account", values, data, errors, required=True)
        _text(form, "bank_name", values, data, errors, required=True)
    members = members_from_form(form)
    values["members"] = members
    data["members"] = [{**m, "id_number": m["id_number"] or None} for m in members]
    if not members:
        errors.setdefault("members", []).append(
            Reason("members.required", "请至少填写一名成员（户主）", "Enter at least one member (the head)")
        )
    for i, m in enumerate(members):
        for field, kind in (("relation", "relation"), ("labour", "labour")):
            if m[field] not in codes(kind):
                errors.setdefault(f"members[{i}].{field}", []).append(
                    Reason("member.choice", "请从列表中选择", "Choose from the list")
                )
    for field in ("change_reason", "document_ref"):
        _text(form, field, values, data, errors, required=False)
    return values, data, errors


def household_values(h) -> dict[str, Any]:
    """The edit form filled from a stored household."""
    values = {
        f: getattr(h, f) or ""
        for f in ("village_code", "address", "status", "monitoring", "attribute", "main_cause")
    }
    values["monitoring_set_on"] = h.monitoring_set_on.isoformat() if h.monitoring_set_on else ""
    values["secondary_causes"] = list(h.secondary_causes or [])
    values["income_per_head"] = f"{h.income_per_head:f}"
    values["members"] = [{f: getattr(m, f) or "" for f in MEMBER_INPUTS} for m in h.members]
    values["version"] = h.version
    return values


def with_blank_rows(values: dict) -> list[dict]:
    """The member rows to draw: those filled in, then a few blank ones (no JavaScript needed)."""
    blank = {f: "" for f in MEMBER_INPUTS}
    rows = list(values.get("members") or [])
    first = [] if rows else [{**blank, "relation": "head"}]
    return rows + first + [dict(blank) for _ in range(BLANK_MEMBER_ROWS - len(first))]


def account_from_form(form: MultiDict) -> tuple[dict, dict, Errors]:
    """A requested bank-account change: type, number, bank, reason."""
    values: dict[str, Any] = {}
    data: dict[str, Any] = {}
    errors: Errors = {}
    _code(form, "account_type", "account_type", values, data, errors)
    _text(form, "bank_account", values, data, errors, required=True)
    _text(form, "bank_name", values, data, errors, required=True)
    _text(form, "reason", values, data, errors, required=False)
    return values, data, errors


def changed_fields(data: dict[str, Any], h) -> dict[str, Any]:
    """Only what the edit changes: an untouched status keeps its recorded reason and 文号."""
    stored = household_values(h)
    stored["income_per_head"] = h.income_per_head
    stored["monitoring_set_on"] = h.monitoring_set_on
    changes = {k: v for k, v in data.items() if k in stored and v != stored[k] and k != "members"}
    if [{f: m.get(f) or "" for f in MEMBER_INPUTS} for m in data["members"]] != stored["members"]:
        changes["members"] = data["members"]
    for field in ("version", "change_reason", "document_ref"):
        if data.get(field) not in (None, ""):
            changes[field] = data[field]
    return changes


@dataclass(frozen=True)
class PageAction:
    """One case action's form: ``parse(form)`` → (values, data, errors); ``call(user, case_id, data)``."""

    parse: Callable[[MultiDict], Parsed]
    call: Callable[[Any, int, dict], Any]
    danger: bool = False


def parse_reason(form: MultiDict) -> Parsed:
    """A required free-text reason (reject, withdraw, recall, object)."""
    values, data, errors = {}, {}, {}
    _text(form, "reason", values, data, errors, required=True)
    return values, data, errors


def refused(error: Invalid) -> dict:
    """The field errors of a refusal; the session is rolled back so the page can still read."""
    db.session.rollback()
    return error.errors


# One-time form tokens: every page form carries ``form_token`` (the ``csrf()`` macro of
# ``web/_form.html`` renders it), a new one each time the form is shown. A successful
# submit stores its answer under the token in the same transaction as its effect
# (``core.once``), so a double submit — a double click, a reload of the POST, the
# back button — records once: the second submit is shown the first one's result.
FORM_TOKEN = "form_token"
MAX_TOKEN_LENGTH = 64


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


@bp.app_context_processor
def _form_token_global() -> dict:
    return {"form_token": new_form_token}


@bp.before_request
def once_per_form_token():
    """A page POST whose token was used already answers with its first result and writes nothing."""
    token = request.form.get(FORM_TOKEN) if request.method == "POST" else None
    if not token or not current_user.is_authenticated:
        return None
    if len(token) > MAX_TOKEN_LENGTH:
        return "form_token: too long", 422
    digest = hashlib.sha256(request.path.encode()).hexdigest()
    try:
        first = once.begin(current_user.id, f"form:{token}", digest)
    except once.KeyReused:  # the token of one form posted to another: a tampered page
        return "form_token: used by another form", 422
    except once.Busy:
        body = "此表单正在提交，请稍候刷新页面。 / This form is being submitted; reload in a moment."
        return body, 409, {"Retry-After": str(once.RETRY_AFTER_SECONDS)}
    if first is None:
        return None
    if first.location:
        return redirect(first.location, 303)
    return once.replay(first)
