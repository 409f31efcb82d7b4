"""The start page (the user's work queue) and the language switch."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from loanflow.core import clock, signals
from loanflow.web.blueprint import bp
from loanflow.web.queue import work_queue


@bp.route("/")
@login_required
def home():
    """The work queue: what waits for this user's action, oldest deadline first.

    A feature may give a role a start page of its own (``core.signals.role_home``).
    """
    homes = signals.contributions(signals.role_home.send(current_user._get_current_object()))
    if homes:
        return redirect(url_for(homes[0][1]))
    return render_template(
        "web/home.html", user=current_user, sections=work_queue(current_user), today=clock.today()
    )


@bp.route("/lang/<code>")
def set_language(code: str):
    """Switch the pages' language (zh or en) and go back."""
    ref = request.referrer or ""
    target = ref if ref.startswith(request.host_url) else url_for("web.home")
    response = redirect(target)
    if code in ("zh", "en"):
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
