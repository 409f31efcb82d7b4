"""The pages after login."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from loanflow.web import bp


@bp.route("/")
@login_required
def home():
    """The start page: what the user can do."""
    return render_template("web/home.html", user=current_user)


@bp.route("/lang/<code>")
def set_language(code: str):
    """Switch the pages' language (zh or en) and go back."""
    target = request.referrer or url_for("web.home")
    response = redirect(target)
    if code in ("zh", "en"):
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax")
    return response
