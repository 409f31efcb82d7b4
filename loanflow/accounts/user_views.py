"""The admin's user pages: list with search and filters, create, edit, deactivate and reactivate, reset a password."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from loanflow.accounts import users as service
from loanflow.accounts.services import create_user, require_admin
from loanflow.core.errors import Invalid, msg
from loanflow.core.regions import Branch, Region
from loanflow.extensions import db
from loanflow.web.blueprint import bp
from loanflow.web.forms import refused

FIELDS = ("username", "full_name", "role", "region_code", "branch_id", "phone", "password")


def _choices(user: Any) -> dict:
    """The region nodes and branches of the admin's county, for the selects."""
    county = user.region_code[:6]
    regions = db.session.scalars(select(Region).where(Region.code.startswith(county)).order_by(Region.code))
    branches = db.session.scalars(select(Branch).where(Branch.county_code == county).order_by(Branch.id))
    return {"regions": list(regions), "branches": list(branches)}


def user_from_form(form) -> dict[str, Any]:
    """The posted fields the service takes; a blank branch is none."""
    data = {f: (form.get(f) or "").strip() for f in FIELDS if f in form}
    if "branch_id" in data:
        data["branch_id"] = int(data["branch_id"]) if data["branch_id"].isdigit() else None
        if data.get("role") != "bank_officer":
            data["branch_id"] = None  # the branch select is ignored for the other roles
    return data


@bp.route("/users")
@login_required
def users():
    """Users of the county: search by username or name, filter by role, region node and active."""
    args = request.args
    active = {"yes": True, "no": False}.get(args.get("active", ""))
    filters = {"q": args.get("q", "").strip(), "role": args.get("role", ""), "region": args.get("region", "")}
    rows = service.list_users(
        current_user, filters["q"] or None, filters["role"] or None, filters["region"] or None, active
    )
    return render_template(
        "accounts/users.html",
        rows=rows,
        filters={**filters, "active": args.get("active", "")},
        **_choices(current_user),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    """Create a user: username, name, role, region node, branch (officers), a first password."""
    require_admin(current_user)
    values, errors = {"role": "clerk", "region_code": current_user.region_code}, {}
    if request.method == "POST":
        form = {**dict.fromkeys(FIELDS, ""), **request.form.to_dict()}  # a field left out is blank
        values = user_from_form(form)
        try:
            user = create_user(current_user, **values)
        except Invalid as e:
            errors = refused(e)
        else:
            flash(
                _(
                    "User %(name)s created; they must change the password at the first login.",
                    name=user.username,
                ),
                "ok",
            )
            return redirect(url_for("web.users"))
    page = render_template(
        "accounts/user_form.html", values=values, errors=errors, user=None, **_choices(current_user)
    )
    return page, 422 if errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    """Change a user's name, role, region node or branch."""
    user = service.get_user(current_user, user_id)
    values, errors = (
        {f: getattr(user, f) for f in ("username", "full_name", "role", "region_code", "branch_id")},
        {},
    )
    if request.method == "POST":
        values = {**values, **user_from_form(request.form)}
        try:
            service.update_user(current_user, user_id, values)
        except Invalid as e:
            errors = refused(e)
        else:
            flash(_("User %(name)s changed.", name=user.username), "ok")
            return redirect(url_for("web.edit_user", user_id=user_id))
    page = render_template(
        "accounts/user_form.html", values=values, errors=errors, user=user, **_choices(current_user)
    )
    return page, 422 if errors else 200


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@login_required
def set_user_active(user_id: int):
    """Deactivate (sessions and tokens end at once) or reactivate a user; the form says which."""
    service.get_user(current_user, user_id)  # 403, 404 before the form is read
    choice = request.form.get("active")
    if choice not in ("yes", "no"):
        raise Invalid({"active": [msg("须为 yes 或 no", "Must be yes or no")]})
    active = choice == "yes"
    user = service.update_user(current_user, user_id, {"active": active})
    flash(
        _("User %(name)s reactivated.", name=user.username)
        if active
        else _("User %(name)s deactivated.", name=user.username),
        "ok",
    )
    return redirect(url_for("web.edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@login_required
def reset_user_password(user_id: int):
    """Give the user a new password they must change at the next login."""
    user = service.get_user(current_user, user_id)
    try:
        service.update_user(current_user, user_id, {"password": request.form.get("password", "")})
    except Invalid as e:
        errors = refused(e)
        values = {f: getattr(user, f) for f in ("username", "full_name", "role", "region_code", "branch_id")}
        page = render_template(
            "accounts/user_form.html", values=values, errors=errors, user=user, **_choices(current_user)
        )
        return page, 422
    flash(_("Password of %(name)s reset; they must change it at the next login.", name=user.username), "ok")
    return redirect(url_for("web.edit_user", user_id=user_id))
