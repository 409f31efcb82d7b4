"""Refusals shown as a page, in the reader's language, with the status the API would give."""

from flask import render_template
from flask_babel import get_locale

from loanflow.services.errors import Invalid, ServiceError, text


def service_error_page(error: ServiceError):
    lang = str(get_locale() or "zh")
    messages = []
    if isinstance(error, Invalid):
        messages = [f"{field}: {text(m, lang)}" for field, ms in error.errors.items() for m in ms]
    return render_template(
        "web/error.html", message=text(error.message, lang), messages=messages
    ), error.status
