"""Industry subsidy pages (产业奖补): list, a case with its allowed actions, apply, the village 公示 lists."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from loanflow.audit import services as audit
from loanflow.core import clock
from loanflow.core.domain.labels import codes
from loanflow.core.errors import Invalid
from loanflow.core.scope import may_apply_for
from loanflow.documents.api import pdf_response
from loanflow.documents.services import issue_publicity_list
from loanflow.documents.views import case_documents, document_access
from loanflow.households import services as household_service
from loanflow.policy.services import current_policy
from loanflow.subsidies import batch
from loanflow.subsidies import lookups as subsidies_lookups
from loanflow.subsidies import publicity as publicity_service
from loanflow.subsidies import services as service
from loanflow.subsidies.forms import ACTIONS, industries, parse_application
from loanflow.subsidies.workflow import allowed_actions
from loanflow.web import lookups
from loanflow.web.blueprint import bp
from loanflow.web.case_actions import take_case_action
from loanflow.web.forms import refused

PER_PAGE = 20


@bp.route("/subsidies")
@login_required
def subsidies():
    """The subsidy cases the user may see, by state and village; paged."""
    state, village = request.args.get("state", ""), request.args.get("village", "")
    filters = {
        "state": state if state in codes("subsidy_state") else None,
        "village": village if village.isdigit() else None,
    }
    page = max(request.args.get("page", 1, type=int), 1)
    sort = request.args.get("sort")
    rows, total = service.list_cases(current_user, **filters, page=page, per_page=PER_PAGE, sort=sort)
    return render_template(
        "subsidies/list.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        filters=filters,
        villages=lookups.visible_villages(current_user),
    )


def _case_page(case_id: int, open_action: str | None = None, values=None, errors=None, status: int = 200):
    case = service.get_case(current_user, case_id)
    allowed = [
        a for a in allowed_actions(current_user, case, current_policy(), clock.today()) if a in ACTIONS
    ]
    page = render_template(
        "subsidies/detail.html",
        case=case,
        allowed=allowed,
        danger={a for a in allowed if ACTIONS[a].danger},
        open_action=open_action,
        values=values or {},
        errors=errors or {},
        companions=subsidies_lookups.verified_companions(current_user, case)
        if "publicize" in allowed
        else [],
        events=audit.timeline("subsidy", case.id),
        docs_access=document_access("subsidy"),
        docs=case_documents("subsidy", case.id),
    )
    return page, status


@bp.route("/subsidies/<int:case_id>")
@login_required
def subsidy(case_id: int):
    """One subsidy case: amounts, the 公示, objections, the actions the user may take now, timeline."""
    return _case_page(case_id)


@bp.route("/subsidies/<int:case_id>/<string:action>", methods=["POST"])
@login_required
def subsidy_action(case_id: int, action: str):
    """Take one case action; a refusal comes back on the case's page with its status."""
    return take_case_action(
        case_id,
        action,
        actions=ACTIONS,
        precheck=service.precheck,
        case_page=_case_page,
        label_kind="subsidy_action",
        endpoint="web.subsidy",
    )


@bp.route("/households/<int:household_id>/subsidies/new", methods=["GET", "POST"])
@login_required
def apply_subsidy(household_id: int):
    """Apply for an industry subsidy on the household's behalf, with its consent."""
    h = household_service.get_household(current_user, household_id)
    may_apply_for(current_user, h)
    if request.method == "GET":
        return _apply_form(h, {}, {})
    values, data, errors = parse_application(request.form, household_id)
    try:
        if errors:
            raise Invalid(errors)
        case = service.apply_for_subsidy(current_user, data)
    except Invalid as e:
        return _apply_form(h, values, refused(e), 422)
    flash(_("Subsidy application opened."), "ok")
    return redirect(url_for("web.subsidy", case_id=case.id))


def _apply_form(h, values: dict, errors: dict, status: int = 200):
    page = render_template("subsidies/apply.html", h=h, values=values, errors=errors, industries=industries())
    return page, status


@bp.route("/publicity")
@login_required
def publicity_lists():
    """The village 公示 lists the user may see, newest first."""
    village = request.args.get("village", "")
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = publicity_service.list_publicity(
        current_user, village if village.isdigit() else None, page, PER_PAGE
    )
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template("subsidies/publicity_list.html", rows=rows, total=total, page=page, pages=pages)


def _publicity_page(publicity_id: int, outcomes=None, values=None, errors=None, status: int = 200):
    p = publicity_service.get_publicity(current_user, publicity_id)
    waiting = {a: batch.batch_candidates(current_user, p.id, a) for a in batch.BATCH_ACTIONS}
    page = render_template(
        "subsidies/publicity.html",
        p=p,
        entries=publicity_service.publicity_entries(p),
        waiting=waiting if current_user.role == "approver" else {},
        outcomes=outcomes,
        values=values or {},
        errors=errors or {},
    )
    return page, status


@bp.route("/publicity/<int:publicity_id>")
@login_required
def publicity(publicity_id: int):
    """One village 公示 as posted: names, industries, quantities, amounts (no ID, phone, account, cause)."""
    return _publicity_page(publicity_id)


@bp.route("/publicity/<int:publicity_id>/pdf")
@login_required
def publicity_pdf(publicity_id: int):
    """The 公示 list as the PDF posted in the village (the stored one while nothing on it changed)."""
    doc = issue_publicity_list(current_user, publicity_id)
    return pdf_response(doc, f"GS-{publicity_id:06d}")


@bp.route("/publicity/<int:publicity_id>/<string:action>", methods=["POST"])
@login_required
def publicity_batch(publicity_id: int, action: str):
    """Approve, or pay, every waiting case of one 公示 list; each case its own move; the outcome of each."""
    if action not in batch.BATCH_ACTIONS:
        abort(404)
    batch.may_batch(current_user, publicity_id, action)  # 404 → 403 before the form's 422
    values, data, errors = ACTIONS[action].parse(request.form)
    if errors:
        return _publicity_page(publicity_id, values=values, errors=errors, status=422)
    outcomes = batch.run_batch(current_user, publicity_id, action, data)
    done = sum(o.done for o in outcomes)
    flash(_("%(done)s of %(n)s cases done.", done=done, n=len(outcomes)), "ok" if done else "error")
    return _publicity_page(publicity_id, outcomes=outcomes)


@bp.context_processor
def _subsidy_helpers():
    from loanflow.subsidies.forms import amount_line, industry_namer, quantity

    return {"industry_name": industry_namer(), "quantity": quantity, "amount_line": amount_line}


# --- what the subsidies add to the shared pages (connected in ``loanflow.subsidies.init_app``) --------

POSITION = 30


def menu_entries(user: Any, **_kwargs: Any) -> list[tuple]:
    """``menu_entries``: the subsidy cases and the village 公示 lists (not for admins, who see no case)."""
    if getattr(user, "role", None) == "admin":
        return []
    return [
        (POSITION, "web.subsidies", lazy_gettext("Subsidies")),
        (POSITION + 1, "web.publicity_lists", lazy_gettext("Publicity lists")),
    ]


def household_actions(_household: Any, **_kwargs: Any) -> list[tuple]:
    """``household_actions``: apply for a subsidy."""
    return [(POSITION, "web.apply_subsidy", lazy_gettext("Apply for a subsidy"))]


def household_cases(household: Any, *, user: Any, **_kwargs: Any) -> tuple:
    """``household_cases``: the household's subsidy cases the user may see."""
    rows = service.list_cases(user, household_id=household.id)[0]
    return POSITION, _("Subsidies"), rows, "web.subsidy", "subsidy_state"
