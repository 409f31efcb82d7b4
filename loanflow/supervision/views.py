"""Supervision pages (督察督办): the home, the stalled queue and its export, presses, spot checks, flags,
the audit trail; and what supervision adds to the shared pages (menu, start page)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from loanflow.core.errors import Invalid
from loanflow.supervision import forms
from loanflow.supervision.export import XLSX, stalled_xlsx
from loanflow.supervision.services import audit_trail, flags, presses, spot_checks, stalled, summary
from loanflow.web import lookups
from loanflow.web.blueprint import bp
from loanflow.web.forms import refused

PER_PAGE = 50


def _page() -> int:
    return max(request.args.get("page", 1, type=int), 1)


def _pages(total: int) -> int:
    return max((total + PER_PAGE - 1) // PER_PAGE, 1)


@bp.route("/supervision")
@login_required
def supervision_home():
    """The supervisor's start page: stalled, the most overdue, dead ends, open problems, open presses."""
    return render_template("supervision/home.html", s=summary.summary(current_user))


@bp.route("/supervision/stalled")
@login_required
def stalled_cases():
    """The stalled queue with its filters, paged; the same filters export it as xlsx."""
    f = forms.stalled_filters(request.args)
    rows, total = stalled.stalled_queue(current_user, f, _page(), PER_PAGE)
    villages = lookups.visible_villages(current_user)
    return render_template(
        "supervision/stalled.html",
        rows=rows,
        total=total,
        page=_page(),
        pages=_pages(total),
        f=f,
        villages=villages,
    )


@bp.route("/supervision/stalled.xlsx")
@login_required
def stalled_export():
    """The filtered stalled queue as a workbook."""
    rows = stalled.all_stalled(current_user, forms.stalled_filters(request.args))
    headers = {"Content-Disposition": 'attachment; filename="stalled.xlsx"'}
    return Response(stalled_xlsx(rows, _("Stalled cases")), mimetype=XLSX, headers=headers)


@bp.route("/supervision/press/<any(loan, subsidy):case_type>/<int:case_id>", methods=["GET", "POST"])
@login_required
def press(case_type: str, case_id: int):
    """Press (督办) a case with a note; back to the stalled queue."""
    case = presses.check_press(current_user, case_type, case_id)
    row = stalled.describe(current_user, [(case_type, case.id)])[0]
    if request.method == "GET":
        return render_template("supervision/press.html", row=row, note="", errors={})
    note = (request.form.get("note") or "").strip()
    try:
        presses.press_case(current_user, case_type, case_id, note)
    except Invalid as e:
        return render_template("supervision/press.html", row=row, note=note, errors=refused(e)), 422
    flash(_("Pressed %(number)s.", number=row.case_number), "ok")
    return redirect(url_for("web.stalled_cases"))


@bp.route("/supervision/presses")
@login_required
def press_list():
    """The presses of the region, newest first, open or answered."""
    answered = {"1": True, "0": False}.get(request.args.get("answered", ""))
    rows, total = presses.presses(current_user, answered=answered, page=_page(), per_page=PER_PAGE)
    return render_template(
        "supervision/presses.html", rows=rows, page=_page(), pages=_pages(total), answered=answered
    )


@bp.route("/supervision/spot-checks", methods=["GET", "POST"])
@login_required
def spot_check_list():
    """The samples of the region, and the form that draws a new one."""
    values, errors = {"product": "loan", "size": "10"}, {}
    if request.method == "POST":
        values, data, errors = forms.spot_check_form(request.form)
        sample, errors = _attempt(lambda: spot_checks.draw_spot_check(current_user, data), errors)
        if sample is not None:
            flash(_("Sample drawn with seed %(seed)s.", seed=sample.seed), "ok")
            return redirect(url_for("web.spot_check", sample_id=sample.id))
    rows, total = spot_checks.spot_checks(current_user, _page(), PER_PAGE)
    page = render_template(
        "supervision/spot_checks.html",
        **dict(rows=rows, page=_page(), pages=_pages(total), values=values, errors=errors),
        progress=spot_checks.progress_of,
    )
    return page, 422 if errors else 200


@bp.route("/supervision/spot-checks/<int:sample_id>", methods=["GET", "POST"])
@login_required
def spot_check(sample_id: int):
    """One sample: its cases in the order drawn, a finding for each, problems closed with a note."""
    errors: dict = {}
    if request.method == "POST":
        data = forms.finding_form(request.form)
        record = spot_checks.close_problem if request.form.get("close") else spot_checks.record_finding
        done, errors = _attempt(lambda: record(current_user, sample_id, data))
        if done is not None:
            return redirect(url_for("web.spot_check", sample_id=sample_id))
    sample = spot_checks.get_spot_check(current_user, sample_id)
    links = {
        (c.case_type, c.case_id): c
        for c in flags.case_links([(i.case_type, i.case_id) for i in sample.items])
    }
    progress = spot_checks.progress_of(sample)
    page = render_template(
        "supervision/spot_check.html", sample=sample, progress=progress, links=links, errors=errors
    )
    return page, 422 if errors else 200


def _attempt(call, errors: dict | None = None) -> tuple[Any, dict]:
    """Run a service call after the form's own errors: (its answer, {}) or (None, the refused fields)."""
    try:
        if errors:
            raise Invalid(errors)
        return call(), {}
    except Invalid as e:
        return None, refused(e)


@bp.route("/supervision/flags")
@login_required
def flag_list():
    """The flags (疑点) of the region, each with its cases."""
    return render_template("supervision/flags.html", flags=flags.flags(current_user, None))


@bp.route("/supervision/audit", methods=["GET", "POST"])
@login_required
def audit_events():
    """Search the audit trail (masked), and verify the chains from the page."""
    verification = audit_trail.verify(current_user) if request.method == "POST" else None
    search = forms.event_search(request.args)
    rows, total = audit_trail.search_events(current_user, search, _page(), PER_PAGE)
    return render_template(
        "supervision/audit.html",
        rows=rows,
        total=total,
        page=_page(),
        pages=_pages(total),
        search=search,
        verification=verification,
        changes=audit_trail.changes,
    )


# --- what supervision adds to the shared pages (connected in ``loanflow.supervision.init_app``) -----

POSITION = 5
MENU = (
    ("web.stalled_cases", lazy_gettext("Stalled cases")),
    ("web.press_list", lazy_gettext("Presses")),
    ("web.spot_check_list", lazy_gettext("Spot checks")),
    ("web.flag_list", lazy_gettext("Flags")),
    ("web.audit_events", lazy_gettext("Audit trail")),
)


def menu_entries(user: Any, **_kwargs: Any) -> list[tuple] | None:
    """``menu_entries``: the supervision pages, for supervisors only."""
    if getattr(user, "role", None) != "supervisor":
        return None
    return [(POSITION + n, endpoint, title) for n, (endpoint, title) in enumerate(MENU)]


def role_home(user: Any, **_kwargs: Any) -> tuple | None:
    """``role_home``: a supervisor starts on the stalled queue's summary."""
    return (POSITION, "web.supervision_home") if getattr(user, "role", None) == "supervisor" else None
