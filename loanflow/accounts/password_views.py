"""Changing one's own password: the page a reset password leads to, and the only page it allows."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from loanflow.accounts.users import change_own_password
from loanflow.core.errors import Invalid
from loanflow.web.blueprint import bp
from loanflow.web.forms import refused

ALLOWED_WHILE_FORCED = ("web.change_password", "web.logout", "web.login", "web.set_language", "static")


@bp.before_app_request
def force_password_change():
    """After a reset, every page but this one (and logging out) leads to the change-password page."""
    if (
        not request.path.startswith("/api/")  # first: an API request has no page session to load
        and request.endpoint not in ALLOWED_WHILE_FORCED
        and current_user.is_authenticated
        and current_user.must_change_password
    ):
        return redirect(url_for("web.change_password"))
    return None


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Set a new password (the current one is asked again)."""
    errors: dict = {}
    if request.method == "POST":
        form = request.form
        try:
            if form.get("new_password") != form.get("confirm_password"):
                raise Invalid({"confirm_password": [_("The two new passwords differ.")]})
            change_own_password(current_user, form.get("current_password", ""), form.get("new_password", ""))
        except Invalid as e:
            errors = refused(e)
        else:
            flash(_("Your password has been changed."), "ok")
            return redirect(url_for("web.home"))
    page = render_template("accounts/password.html", errors=errors, forced=current_user.must_change_password)
    return page, 422 if errors else 200
