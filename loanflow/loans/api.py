"""/api/v1/loans: apply, list, read, the schedule, and every case action by name."""

from __future__ import annotations

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from loanflow.api.auth import login_required, roles_first
from loanflow.api.common import page_size, paged
from loanflow.api.idempotency import idempotent
from loanflow.core.errors import Invalid, NotFound, msg
from loanflow.loans.api_money import MONEY_ACTIONS
from loanflow.loans.schemas import (
    CASE_ACTIONS,
    LoanIn,
    LoanOut,
    LoanPage,
    LoanSearch,
)
from loanflow.loans.schemas_plan import ScheduleIn, ScheduleOut
from loanflow.loans.services import actions as service
from loanflow.loans.services import apply as loan_apply
from loanflow.loans.services import plan as loan_plan

ACTIONS = {**CASE_ACTIONS, **MONEY_ACTIONS}  # every POST /loans/{id}/{action}, by name

blp = Blueprint("loans", __name__, description="The 5321 poverty-relief small loan (扶贫小额信贷)")


@blp.route("/loans")
class Loans(MethodView):
    decorators = [login_required]

    @blp.arguments(LoanSearch, location="query")
    @blp.response(200, LoanPage)
    def get(self, args):
        """The loans you may see, filtered by state, village, household, overdue, stalled; paged."""
        filters = {k: args[k] for k in ("state", "village", "household_id", "overdue", "stalled")}
        rows, total = service.list_loans(g.user, **filters, page=args["page"], per_page=page_size(args))
        return paged(rows, total, args)

    @idempotent
    @roles_first("clerk")
    @blp.arguments(LoanIn)
    @blp.response(201, LoanOut)
    def post(self, data):
        """Apply for a loan on a household's behalf, with its consent."""
        return loan_apply.apply_for_loan(g.user, data)


@blp.route("/loans/<int:loan_id>")
@login_required
@blp.response(200, LoanOut)
def get_loan(loan_id: int):
    """One loan: state, allowed actions, rate, due now, payoff, rating, schedule summary, timeline."""
    return service.get_loan(g.user, loan_id)


@blp.route("/loans/<int:loan_id>/schedule")
@login_required
@blp.arguments(ScheduleIn, location="query")
@blp.response(200, ScheduleOut)
def get_schedule(args: dict, loan_id: int):
    """The plan in force (or ``?revision=n``): each line's principal, interest, subsidy, household
    share, paid and still due; what made the revision; every revision."""
    return loan_plan.schedule(g.user, loan_id, args["revision"])


@blp.route("/loans/<int:loan_id>/<string:action>", methods=["POST"])
@login_required
@idempotent
@blp.response(200, LoanOut)
def post_action(loan_id: int, action: str):
    """Take a case action (rate, credit, disburse, reject, withdraw, and the money actions)."""
    entry = ACTIONS.get(action)
    if entry is None:
        raise NotFound(msg(f"没有“{action}”这一操作", f"There is no action '{action}'"))
    try:
        data = entry.parse(request.get_json(silent=True))
    except Invalid:
        service.begin_action(g.user, loan_id, action)  # 404 → 403 → 409 before the body's 422
        raise
    return entry.handler(g.user, loan_id, data)  # the service checks 404 → 403 → 409 itself, once


def document_actions(api) -> None:
    """Describe ``POST /loans/{id}/{action}`` in the OpenAPI document: the action names and each body."""
    names: dict[type, str] = {}
    for _action, entry in sorted(ACTIONS.items()):
        if entry.schema not in names:
            names[entry.schema] = f"LoanAction{entry.schema.__name__}"
            api.spec.components.schema(names[entry.schema], schema=entry.schema)
    path = api.spec._paths["/api/v1/loans/{loan_id}/{action}"]  # apispec keeps no public setter
    bodies = [{"$ref": f"#/components/schemas/{n}"} for n in sorted(set(names.values()))]
    path["post"]["requestBody"] = {"content": {"application/json": {"schema": {"oneOf": bodies}}}}
    for parameter in path.get("parameters", []) + path["post"].get("parameters", []):
        if parameter.get("name") == "action":
            parameter["schema"] = {"type": "string", "enum": sorted(ACTIONS)}
