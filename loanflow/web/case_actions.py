"""Taking a case action from its page, the same way for loans and subsidies."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from loanflow.core.errors import Invalid
from loanflow.web.forms import refused
from loanflow.web.present import code_label


def take_case_action(
    case_id: int,
    action: str,
    *,
    actions: dict,
    precheck: Callable[..., None],
    case_page: Callable[..., tuple],
    label_kind: str,
    endpoint: str,
):
    """Parse the form, call the service, and come back to the case's page.

    The service checks 404 → 403 → 409 itself; only a form with errors runs ``precheck`` first,
    so that those refusals still come before the form's 422 without checking twice.
    """
    entry = actions.get(action) or abort(404)
    values, data, errors = entry.parse(request.form)
    try:
        if errors:
            precheck(current_user, case_id, action)
            raise Invalid(errors)
        entry.call(current_user, case_id, data)
    except Invalid as e:
        return case_page(case_id, action, values, refused(e), 422)
    flash(_("Done: %(action)s.", action=code_label(label_kind, action)), "ok")
    return redirect(url_for(endpoint, case_id=case_id))
