"""Refusals shown as a page, in the reader's language, with the status the API would give."""

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError

from loanflow.core.errors import Conflict, Invalid, ServiceError, TooManyAttempts, text
from loanflow.web.blueprint import bp
from loanflow.web.present import lang

TITLES = {
    404: lazy_gettext("Not found"),
    403: lazy_gettext("Not allowed"),
    409: lazy_gettext("Not possible now"),
    422: lazy_gettext("Please check the input"),
    429: lazy_gettext("Too many attempts"),
}


def _back() -> str | None:
    """Where the refused form came from (same site only), so the user can go back to it."""
    ref = request.referrer or ""
    return ref if ref.startswith(request.host_url) else None


def service_error_page(error: ServiceError):
    here = lang()
    messages = []
    if isinstance(error, Invalid):
        messages = [text(m, here) for ms in error.errors.values() for m in ms]
    allowed = []
    if isinstance(error, Conflict):
        from loanflow.core.domain.labels import label

        kind = "subsidy_action" if "/subsidies/" in request.path else "loan_action"
        allowed = [label(kind, a, here) for a in error.allowed_actions]
    page = render_template(
        "web/error.html",
        title=str(TITLES.get(error.status, _("Refused"))),
        message=text(error.message, here),
        messages=messages,
        allowed=allowed,
        back=_back(),
    )
    if isinstance(error, TooManyAttempts):
        return page, error.status, {"Retry-After": str(error.retry_after)}
    return page, error.status


@bp.app_errorhandler(CSRFError)
def csrf_refused(error: CSRFError):
    """A form posted without a valid token (expired page, another site): refuse readably."""
    if request.path.startswith("/api/"):
        return error
    message = _("The form has expired or did not come from this site. Reload the page and try again.")
    page = render_template("web/error.html", title=_("Form refused"), message=message, back=_back())
    return page, 400
