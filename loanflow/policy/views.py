"""The policy pages (admin): the version in force as tables, a new version (form or file) with a
preview of what changes, the list of versions, and any two compared side by side."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import yaml
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from loanflow.core.domain.policy import with_new_parameters
from loanflow.core.errors import Forbidden, Invalid, msg
from loanflow.policy import services
from loanflow.policy.document import as_text, diff, from_form, leaves
from loanflow.policy.present import blocks, param_name, shown
from loanflow.web.blueprint import bp
from loanflow.web.forms import refused
from loanflow.web.present import lang


def _admin() -> None:
    if current_user.role != "admin":
        raise Forbidden(msg("只有系统管理员可以管理政策", "Only an admin manages the policy"))


@bp.route("/policy")
@login_required
def policy():
    """The version in force, as readable tables."""
    _admin()
    current = services.current_policy()
    row = services.version_row(current.version)
    return render_template("policy/show.html", row=row, blocks=blocks(row.document, lang()))


# What a clerk reads to advise a household: limits, grades, rates, purposes, extension, industries, time limits.
TERMS = (
    "loan",
    "loan.grades",
    "loan.rates",
    "loan.extension",
    "subsidy",
    "subsidy.industries",
    "deadlines.loan",
    "deadlines.subsidy",
)


@bp.route("/policy/terms")
@login_required
def policy_terms():
    """The policy terms in force, read-only, for everyone who works cases (the admin edits them)."""
    current = services.current_policy()
    row = services.version_row(current.version)
    terms = [_readable(b, lang()) for b in blocks(row.document, lang()) if b.path in TERMS]
    return render_template("policy/terms.html", row=row, blocks=terms)


def _readable(block, language: str):
    """A table as a clerk reads it: no internal codes, names in the page's language only."""
    other = "_en" if language == "zh" else "_zh"
    keep = [i for i, c in enumerate(block.columns) if c not in ("code", "grade") and not c.endswith(other)]
    if not block.rows or len(keep) == len(block.columns):
        return block
    return replace(
        block,
        columns=[block.columns[i] for i in keep],
        column_names=[block.column_names[i] for i in keep],
        rows=[[row[i] for i in keep] for row in block.rows],
    )


def menu_entries(user: Any, **_kwargs: Any) -> list[tuple] | None:
    """``menu_entries``: the policy terms, for the roles that work cases (the admin has the policy)."""
    if getattr(user, "role", None) in (None, "admin"):
        return None
    return [(90, "web.policy_terms", lazy_gettext("Policy terms"))]


@bp.route("/policy/versions")
@login_required
def policy_versions():
    """Every version: who published it, when, from which day it is in force, why."""
    _admin()
    rows = list(reversed(services.list_versions()))
    return render_template("policy/versions.html", rows=rows, current=services.current_policy().version)


@bp.route("/policy/compare")
@login_required
def policy_compare():
    """Two versions side by side, the changed parameters marked."""
    _admin()
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    old, new, changes = services.compare_versions(a or 0, b or 0)
    return render_template(
        "policy/compare.html",
        old=old,
        new=new,
        changes=changes,
        rows=side_by_side(old.document, new.document),
    )


def side_by_side(a: dict, b: dict) -> list[tuple[str, object, object, bool]]:
    """Every parameter of either version: (path, in a, in b, changed)."""
    old, new = dict(leaves(a)), dict(leaves(b))
    paths = list(dict.fromkeys([*old, *new]))
    return [(p, old.get(p), new.get(p), old.get(p) != new.get(p)) for p in paths]


def document_from_request(base: dict) -> tuple[dict, dict, dict]:
    """(document, the values to show again, errors found reading it): an uploaded YAML file wins over the form."""
    upload = request.files.get("document_file")
    if upload and upload.filename:
        try:
            document = yaml.safe_load(upload.read().decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            return base, {}, {"document_file": [msg(f"不是有效的 YAML 文件：{e}", f"Not a YAML file: {e}")]}
        if not isinstance(document, dict):
            return (
                base,
                {},
                {
                    "document_file": [
                        msg("文件须为政策文件（YAML 对象）", "The file must hold a policy object")
                    ]
                },
            )
        return document, {}, {}
    shape = base
    try:  # the document the form was drawn from (an uploaded file may have more rows than the base)
        shape = json.loads(request.form.get("shape") or "null") or base
    except ValueError:
        pass
    document, unreadable = from_form(shape if isinstance(shape, dict) else base, request.form.get)
    errors = {p: [msg("填写的格式不对", "Cannot read this value")] for p in unreadable}
    return document, unreadable, errors


@bp.route("/policy/new", methods=["GET", "POST"])
@login_required
def new_policy():
    """Edit a new version (every parameter a field, or a YAML file), preview what changes, publish."""
    _admin()
    base = services.version_row(services.current_policy().version)
    start = with_new_parameters(base.document)
    if request.method == "GET":
        return _policy_form(base, start, {}, {}, {"note": "", "effective_on": ""})
    document, raw, errors = document_from_request(start)
    meta = {k: (request.form.get(k) or "").strip() for k in ("note", "effective_on")}
    effective_on = None
    try:
        effective_on = date.fromisoformat(meta["effective_on"]) if meta["effective_on"] else None
    except ValueError:
        errors["effective_on"] = [msg("日期格式应为 2026-03-10", "A date looks like 2026-03-10")]
    errors = {**services.check_document(document, effective_on), **errors}
    if errors or request.form.get("step") != "publish" or not diff(base.document, document):
        return _policy_form(base, document, raw, errors, meta, preview=not errors)
    try:
        row = services.publish_policy(current_user, document, meta["note"], effective_on)
    except Invalid as e:
        return _policy_form(base, document, raw, refused(e), meta)
    flash(_("Policy version %(v)s published.", v=row.version), "ok")
    return redirect(url_for("web.policy_compare", a=base.version, b=row.version))


def _policy_form(base, document: dict, raw: dict, errors: dict, meta: dict, preview: bool = False):
    values = {p: as_text(v) for p, v in leaves(document)} | raw
    page = render_template(
        "policy/form.html",
        base=base,
        blocks=blocks(document, lang()),
        values=values,
        errors=errors,
        meta=meta,
        changes=diff(base.document, document) if preview else None,
        yaml_text=yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
        shape=json.dumps(document, ensure_ascii=False),
    )
    return page, 422 if errors else 200


@bp.app_template_global()
def policy_param(path: str) -> str:
    """A parameter's readable name from its path, in the page's language."""
    return param_name(path, lang())


@bp.app_template_global()
def policy_value(path: str, value: object) -> str:
    """A parameter's value as the tables show it, in the page's language."""
    return shown(path, value, lang())
