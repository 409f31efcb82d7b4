"""The admin's pages: the home (what needs attention), the region tree, the branches."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from loanflow.admin import services
from loanflow.core.errors import Invalid
from loanflow.web.blueprint import bp
from loanflow.web.forms import refused

POSITION = 50


@bp.route("/admin")
@login_required
def admin_home():
    """What needs the admin's attention: dead-end townships and branches, provisional years, idle users."""
    return render_template("admin/home.html", found=services.attention(current_user))


@bp.route("/admin/regions", methods=["GET", "POST"])
@login_required
def regions():
    """The region tree; add a township or village, rename a node (codes never change)."""
    errors, values = {}, {}
    if request.method == "POST":
        values = {k: (request.form.get(k) or "").strip() for k in ("code", "name", "rename")}
        try:
            if values["rename"]:
                services.rename_region(current_user, values["rename"], values["name"])
            else:
                services.add_region(current_user, values["code"], values["name"])
        except Invalid as e:
            errors = refused(e)
        else:
            flash(_("Region %(code)s saved.", code=values["rename"] or values["code"]), "ok")
            return redirect(url_for("web.regions"))
    page = render_template(
        "admin/regions.html", tree=services.region_tree(current_user), values=values, errors=errors
    )
    return page, 422 if errors else 200


def branch_from_form(form) -> dict[str, Any]:
    data = {k: (form.get(k) or "").strip() for k in ("name", "bank", "address")}
    data["townships"] = [t for t in form.getlist("townships") if t]
    return data


@bp.route("/admin/branches", methods=["GET", "POST"])
@bp.route("/admin/branches/<int:branch_id>", methods=["POST"])
@login_required
def branches(branch_id: int | None = None):
    """The branches, the townships each serves and its active officers; add or change one."""
    errors, values = {}, {}
    if request.method == "POST":
        values = branch_from_form(request.form)
        try:
            if branch_id:
                services.update_branch(current_user, branch_id, values)
            else:
                services.add_branch(current_user, **values)
        except Invalid as e:
            errors = refused(e)
        else:
            flash(_("Branch %(name)s saved.", name=values["name"]), "ok")
            return redirect(url_for("web.branches"))
    rows = services.branches(current_user)
    page = render_template(
        "admin/branches.html",
        rows=rows,
        officers=services.active_officers([b.id for b in rows]),
        tree=services.region_tree(current_user),
        values=values,
        errors=errors,
        editing=branch_id,
    )
    return page, 422 if errors else 200


# --- what the admin feature adds to the shared pages (connected in ``loanflow.admin.init_app``) ------


def admin_home_for(user: Any, **_kwargs: Any) -> tuple | None:
    """``role_home``: the admin starts on the admin's home, not a work queue."""
    return (POSITION, "web.admin_home") if user.role == "admin" else None


def menu_entries(user: Any, **_kwargs: Any) -> list[tuple]:
    """``menu_entries``: the admin's pages, for admins only."""
    if user is None or user.role != "admin":
        return []
    return [
        (POSITION, "web.users", lazy_gettext("Users")),
        (POSITION + 1, "web.regions", lazy_gettext("Regions")),
        (POSITION + 2, "web.branches", lazy_gettext("Branches")),
        (POSITION + 3, "web.policy", lazy_gettext("Policy")),
        (POSITION + 4, "web.calendar_years", lazy_gettext("Calendar")),
        (POSITION + 5, "web.fund_page", lazy_gettext("Fund")),
    ]
