"""The start page (the user's work queue) and the language switch."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from loanflow.core import clock, signals
from loanflow.web.blueprint import bp
from loanflow.web.queue import whole_section, work_queue


@bp.route("/")
@login_required
def home():
    """The work queue: what waits for this user's action, oldest deadline first.

    A feature may give a role a start page of its own (``core.signals.role_home``).
    """
    elsewhere = _own_home()
    if elsewhere:
        return redirect(elsewhere)
    return render_template(
        "web/home.html", user=current_user, sections=work_queue(current_user), today=clock.today()
    )


@bp.route("/queue/<int:position>")
@login_required
def queue_section(position: int):
    """One section of the work queue, whole (up to ``web.queue.QUEUE_LIMIT`` rows, the home's order):
    where the home's "first ``HOME_ROWS`` shown" leads. A role with a start page of its own goes there,
    as from the home.

    A position no feature answers is 404. A section with nothing for this user is shown, empty, not
    404: it empties as its reader works through it (the last case moved, by them or a colleague), and a
    reload should say "nothing is waiting", not "not found"; its title alone shows nobody's cases.
    """
    elsewhere = _own_home()
    if elsewhere:
        return redirect(elsewhere)
    section = whole_section(current_user, position)
    return render_template("web/queue_section.html", user=current_user, section=section, today=clock.today())


def _own_home() -> str | None:
    """The start page a feature gives this user's role instead of the work queue, if any."""
    homes = signals.contributions(signals.role_home.send(current_user._get_current_object()))
    return url_for(homes[0][1]) if homes else None


@bp.route("/lang/<code>")
def set_language(code: str):
    """Switch the pages' language (zh or en) and go back."""
    ref = request.referrer or ""
    target = ref if ref.startswith(request.host_url) else url_for("web.home")
    response = redirect(target)
    if code in ("zh", "en"):
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
