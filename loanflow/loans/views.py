"""Loan pages (扶贫小额信贷): list with filters, a case with its allowed actions as forms, apply."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from loanflow.audit import services as audit
from loanflow.core import clock
from loanflow.core.domain.labels import codes
from loanflow.core.errors import Invalid, NotFound, msg
from loanflow.core.scope import can_see_full_identity, may_apply_for
from loanflow.documents.views import case_documents, document_access
from loanflow.households import services as household_service
from loanflow.loans import claims as claims_service
from loanflow.loans import lookups as loans_lookups
from loanflow.loans.forms import ACTIONS, parse_application, scorecard_items
from loanflow.loans.services import actions as service
from loanflow.loans.services import apply as loan_apply
from loanflow.loans.services.plan import plan_of
from loanflow.loans.services.position import repayments_of
from loanflow.policy.services import current_policy
from loanflow.web import lookups
from loanflow.web.blueprint import bp
from loanflow.web.case_actions import take_case_action
from loanflow.web.forms import refused

PER_PAGE = 20
FILTERS = ("state", "village", "stalled")


def _filters() -> dict:
    args = {k: request.args.get(k, "").strip() for k in FILTERS}
    return {
        "state": args["state"] if args["state"] in codes("loan_state") else None,
        "village": args["village"] if args["village"].isdigit() else None,
        "stalled": True if args["stalled"] == "1" else None,
    }


@bp.route("/loans")
@login_required
def loans():
    """The loans the user may see, by state, village and stalled; paged, identities masked."""
    filters, page = _filters(), max(request.args.get("page", 1, type=int), 1)
    sort = request.args.get("sort")
    rows, total = service.list_loans(current_user, **filters, page=page, per_page=PER_PAGE, sort=sort)
    return render_template(
        "loans/list.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        filters=filters,
        villages=lookups.visible_villages(current_user),
    )


def _case_page(loan_id: int, open_action: str | None = None, values=None, errors=None, status: int = 200):
    loan = service.get_loan(current_user, loan_id)
    reversible = loans_lookups.reversible_repayments(current_user, loan)
    allowed = [
        a
        for a in service.allowed_actions(current_user, loan)
        if a in ACTIONS and (a != "reverse-repayment" or reversible)
    ]
    page = render_template(
        "loans/detail.html",
        loan=loan,
        whole=can_see_full_identity(current_user),
        allowed=allowed,
        danger={a for a in allowed if ACTIONS[a].danger},
        open_action=open_action,
        values=values or {},
        errors=errors or {},
        position=loans_lookups.loan_position(loan),
        plan=plan_of(loan, request.args.get("revision", type=int)),
        repayments=repayments_of(loan.id),
        reversible=reversible,
        scorecard=scorecard_items(),
        facts=loans_lookups.household_facts(loan) if "rate" in allowed else None,
        grades=loans_lookups.grade_table(),
        others=[
            o
            for o in loans_lookups.others_may(current_user, loan)
            if o["action"] in ACTIONS and not ACTIONS[o["action"]].danger
        ],
        events=audit.timeline("loan", loan.id),
        docs_access=document_access("loan"),
        docs=case_documents("loan", loan.id),
    )
    return page, status


@bp.route("/loans/<int:case_id>")
@login_required
def loan(case_id: int):
    """One loan: state, terms, money due, schedule, the actions the user may take now, timeline."""
    return _case_page(case_id)


@bp.route("/loans/<int:case_id>/<string:action>", methods=["POST"])
@login_required
def loan_action(case_id: int, action: str):
    """Take one case action; a refusal comes back on the case's page with its status."""
    return take_case_action(
        case_id,
        action,
        actions=ACTIONS,
        precheck=service.begin_action,
        case_page=_case_page,
        label_kind="loan_action",
        endpoint="web.loan",
    )


@bp.route("/households/<int:household_id>/loans/new", methods=["GET", "POST"])
@login_required
def apply_loan(household_id: int):
    """Apply for a loan on the household's behalf, with its consent."""
    h = household_service.get_household(current_user, household_id)
    may_apply_for(current_user, h)  # 403 before a form that lists every member's ID number
    if request.method == "GET":
        return _apply_form(h, {"term_months": "12", "purpose": ""}, {})
    values, data, errors = parse_application(request.form, household_id)
    try:
        if errors:
            raise Invalid(errors)
        loan = loan_apply.apply_for_loan(current_user, data)
    except Invalid as e:
        return _apply_form(h, values, refused(e), 422)
    flash(_("Loan application %(number)s opened.", number=loan.case_number), "ok")
    return redirect(url_for("web.loan", case_id=loan.id))


def _apply_form(h, values: dict, errors: dict, status: int = 200):
    purposes = current_policy().purposes
    page = render_template("loans/apply.html", h=h, values=values, errors=errors, purposes=purposes)
    return page, status


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _claim_choice() -> tuple[str, int | None, list, list[str]]:
    quarters = loans_lookups.recent_quarters(clock.today())
    branches = loans_lookups.claim_branches(current_user)
    quarter = request.args.get("quarter", "").strip() or quarters[0]
    branch_id = request.args.get("branch", type=int) or (branches[0].id if branches else None)
    return quarter, branch_id, branches, quarters


@bp.route("/claims")
@login_required
def claims_page():
    """The quarterly 贴息 claim list of a branch (per quarter), with its workbook."""
    quarter, branch_id, branches, quarters = _claim_choice()
    if not branches:
        raise NotFound(msg("没有可查看的贴息清单", "No claim list to show"))
    try:
        claims, errors = claims_service.claim_list(current_user, quarter, branch_id), {}
    except Invalid as e:
        claims, errors = None, refused(e)
    page = render_template(
        "loans/claims.html",
        claims=claims,
        quarter=quarter,
        branch_id=branch_id,
        branches=branches,
        quarters=quarters,
        errors=errors,
    )
    return page, 422 if errors else 200


@bp.route("/claims.xlsx")
@login_required
def claims_export():
    """The claim list as the workbook the treasury takes."""
    quarter, branch_id, _branches, _quarters = _claim_choice()
    claims = claims_service.claim_list(current_user, quarter, branch_id or 0)
    name = f"tiexi-{claims.quarter}-{claims.branch.id}.xlsx"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(claims_service.claim_xlsx(claims), mimetype=XLSX, headers=headers)


# --- what the loans add to the shared pages (connected in ``loanflow.loans.init_app``) ----------------

POSITION = 20


def menu_entries(user: Any, **_kwargs: Any) -> list[tuple]:
    """``menu_entries``: the loan list (not for admins, who see no case)."""
    role = getattr(user, "role", None)
    if role == "admin":
        return []
    entries = [(POSITION, "web.loans", lazy_gettext("Loans"))]
    if role == "bank_officer" or (role in ("approver", "supervisor") and user.region_level == "county"):
        entries.append((POSITION + 1, "web.claims_page", lazy_gettext("Subsidy claims")))
    if role == "bank_officer":
        entries.append((POSITION + 2, "web.fund_page", lazy_gettext("Fund")))
    return entries


def household_actions(_household: Any, **_kwargs: Any) -> list[tuple]:
    """``household_actions``: apply for a loan."""
    return [(POSITION, "web.apply_loan", lazy_gettext("Apply for a loan"))]


def household_cases(household: Any, *, user: Any, **_kwargs: Any) -> tuple:
    """``household_cases``: the household's loans the user may see."""
    rows = service.list_loans(user, household_id=household.id)[0]
    return POSITION, _("Loans"), rows, "web.loan", "loan_state"
