"""Household register pages (建档立卡): list, detail, register, edit, bank-account change (four eyes)."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from loanflow.accounts import people_names
from loanflow.audit import services as audit
from loanflow.core.errors import Invalid
from loanflow.core.scope import (
    can_confirm_account_change,
    can_edit_household,
    can_register_households,
    can_see_full_identity,
)
from loanflow.core.signals import cases_by_number, contributions, household_cases
from loanflow.households import lookups as households_lookups
from loanflow.households import services as service
from loanflow.web import lookups
from loanflow.web.blueprint import bp
from loanflow.web.forms import (
    account_from_form,
    changed_fields,
    household_from_form,
    household_values,
    refused,
    with_blank_rows,
)

PER_PAGE = 20
CASE_NUMBER = re.compile(r"[A-Z]{2}-\d{4}-\d{1,9}")


def _form(values: dict, errors: dict, household=None, status: int = 200):
    page = render_template(
        "households/form.html",
        values=values,
        rows=with_blank_rows(values),
        errors=errors,
        household=household,
        villages=lookups.visible_villages(current_user),
    )
    return page, status


@bp.route("/households")
@login_required
def households():
    """The households the user may see, searched by name, ID number or village; paged."""
    q, village = request.args.get("q", "").strip(), request.args.get("village", "").strip()
    page = max(request.args.get("page", 1, type=int), 1)
    found = case_hits(q)
    rows, total = service.search_households(
        current_user, q or None, village if village.isdigit() else None, page, PER_PAGE, [c[1] for c in found]
    )
    return render_template(
        "households/list.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        q=q,
        village=village,
        villages=lookups.visible_villages(current_user),
        may_register=can_register_households(current_user),
        cases=found,
        may_export=current_user.role != "admin",
    )


@bp.route("/households/new", methods=["GET", "POST"])
@login_required
def register_household():
    """Register a household and its members; errors come back beside their fields."""
    service.may_register(current_user)  # 403 for the roles that register none, before any form
    if request.method == "GET":
        return _form({"status": "not_out", "monitoring": "none", "account_type": "card"}, {})
    values, data, errors = household_from_form(request.form)
    try:  # the form's own errors go along, so the service reports every error at once
        h = service.register_household(current_user, data, known=errors)
    except Invalid as e:
        return _form(values, refused(e), status=422)
    flash(_("Household registered."), "ok")
    return redirect(url_for("web.household", household_id=h.id))


@bp.route("/households/<int:household_id>")
@login_required
def household(household_id: int):
    """One household: register fields, members, pending account changes, timeline."""
    h = service.get_household(current_user, household_id)
    changes = households_lookups.pending_account_changes(h)
    events = audit.timeline("household", h.id)
    return render_template(
        "households/detail.html",
        h=h,
        whole=can_see_full_identity(current_user),
        may_edit=can_edit_household(current_user, h),
        changes=[(c, can_confirm_account_change(current_user, h, c.requested_by_id)[0]) for c in changes],
        names=people_names({c.requested_by_id for c in changes}),
        events=events,
        cases=case_links(h),
    )


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@login_required
def edit_household(household_id: int):
    """Change the register fields and members (the bank account has its own four-eyes request)."""
    h = service.editable_household(current_user, household_id)  # 404, then 403 (a supervisor): no form
    if request.method == "GET":
        return _form(household_values(h), {}, h)
    values, data, errors = household_from_form(request.form, with_account=False)
    values["version"] = data["version"] = request.form.get("version", type=int)
    try:
        service.update_household(current_user, household_id, changed_fields(data, h), known=errors)
    except Invalid as e:
        return _form(values, refused(e), service.get_household(current_user, household_id), 422)
    flash(_("Changes saved."), "ok")
    return redirect(url_for("web.household", household_id=household_id))


@bp.route("/households/<int:household_id>/account-changes", methods=["GET", "POST"])
@login_required
def request_account_change(household_id: int):
    """Ask to change the registered bank account; a second user confirms it."""
    h = service.editable_household(current_user, household_id)
    if request.method == "GET":
        values = {"account_type": h.account_type, "bank_name": h.bank_name}
        return render_template("households/account_change.html", h=h, values=values, errors={})
    values, data, errors = account_from_form(request.form)
    try:
        if errors:
            raise Invalid(errors)
        service.request_account_change(current_user, household_id, data)
    except Invalid as e:
        errors = refused(e)
        return render_template("households/account_change.html", h=h, values=values, errors=errors), 422
    flash(_("Account change requested; a second person must confirm it."), "ok")
    return redirect(url_for("web.household", household_id=household_id))


@bp.route("/households/<int:household_id>/account-changes/<int:change_id>", methods=["POST"])
@login_required
def decide_account_change(household_id: int, change_id: int):
    """Confirm or reject a pending account change (never by the one who asked)."""
    confirm = request.form.get("decision") == "confirm"
    service.decide_account_change(current_user, household_id, change_id, confirm)
    flash(_("Account change confirmed.") if confirm else _("Account change rejected."), "ok")
    return redirect(url_for("web.household", household_id=household_id))


def case_hits(q: str) -> list[tuple]:
    """The cases a typed case number names (DK-2026-000013), from the case features; none otherwise."""
    number = q.strip().upper()
    if not CASE_NUMBER.fullmatch(number):
        return []
    sent = cases_by_number.send(current_user._get_current_object(), number=number)
    return [hit[1:] for hit in contributions(sent, many=True)]


def case_links(h) -> list[tuple[str, list, str, str]]:
    """The household's cases, one list per feature that has some (``core.signals.household_cases``)."""
    sent = household_cases.send(h, user=current_user)
    return [(title, rows, endpoint, kind) for _position, title, rows, endpoint, kind in contributions(sent)]


def menu_entries(user: Any, **_kwargs: Any) -> list[tuple]:
    """``menu_entries``: the household register (not for admins, who see no household)."""
    return (
        [] if getattr(user, "role", None) == "admin" else [(10, "web.households", lazy_gettext("Households"))]
    )
