"""/api/v1/subsidies and /api/v1/publicity: the industry subsidy (产业奖补) and its village 公示."""

from __future__ import annotations

from functools import wraps

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from loanflow.api.auth import login_required, roles_first
from loanflow.api.common import load_body, page_size, paged
from loanflow.api.idempotency import idempotent
from loanflow.api.schema import Schema
from loanflow.subsidies import publicity as publicity_service
from loanflow.subsidies import services as service
from loanflow.subsidies.schemas import (
    DisburseIn,
    Empty,
    ObjectIn,
    PublicityArgs,
    PublicityOut,
    PublicityPage,
    PublicizeIn,
    ReasonIn,
    SubsidyArgs,
    SubsidyIn,
    SubsidyOut,
    SubsidyPage,
    VerifyIn,
)

blp = Blueprint("subsidies", __name__, description="The industry subsidy (产业奖补) and its village 公示")


@blp.route("/subsidies")
class Subsidies(MethodView):
    decorators = [login_required]

    @blp.arguments(SubsidyArgs, location="query")
    @blp.response(200, SubsidyPage)
    def get(self, args):
        """The subsidy cases you may see, by village, state and year of application; paged."""
        filters = {k: args[k] for k in ("village", "state", "year", "household_id")}
        rows, total = service.list_cases(g.user, **filters, page=args["page"], per_page=page_size(args))
        return paged(rows, total, args)

    @idempotent
    @roles_first("clerk")
    @blp.arguments(SubsidyIn)
    @blp.response(201, SubsidyOut)
    def post(self, data):
        """Apply for a household (a clerk, with the household's consent)."""
        case = service.apply_for_subsidy(g.user, data)
        return service.get_case(g.user, case.id)


@blp.route("/subsidies/<int:case_id>")
@login_required
@blp.response(200, SubsidyOut)
def get_subsidy(case_id: int):
    """One case: state, what you may do now, the amount and its computation, the deadline, the timeline."""
    return service.get_case(g.user, case_id)


def case_action(action: str, schema: type[Schema]):
    """Route ``POST /subsidies/<id>/<action>``: the case's 404/403/409 come before the body's 422."""

    def register(run):
        @blp.route(f"/subsidies/<int:case_id>/{action}", methods=["POST"])
        @blp.doc(requestBody={"required": False, "content": {"application/json": {"schema": schema}}})
        @login_required
        @idempotent
        @blp.response(200, SubsidyOut)
        @wraps(run)
        def view(case_id: int):
            service.precheck(g.user, case_id, action)
            run(g.user, case_id, load_body(schema))
            return service.get_case(g.user, case_id)

        return view

    return register


@case_action("verify", VerifyIn)
def verify(user, case_id: int, data: dict) -> None:
    """Record the on-site check (核验) and reserve the amount against the household's cap."""
    service.verify_case(user, case_id, data)


@case_action("publicize", PublicizeIn)
def publicize(user, case_id: int, data: dict) -> None:
    """Post the village 公示 for this case and the other verified cases of its village in ``case_ids``."""
    publicity_service.publicize_cases(user, case_id, data.get("case_ids"))


@case_action("object", ObjectIn)
def object_(user, case_id: int, data: dict) -> None:
    """Record an objection raised during the 公示; the case goes back for a new verification."""
    publicity_service.object_to_case(user, case_id, data)


@case_action("approve", Empty)
def approve(user, case_id: int, _data: dict) -> None:
    """Approve (审批) from the first working day after the 公示; not by the one who verified."""
    service.approve_case(user, case_id)


@case_action("disburse", DisburseIn)
def disburse(user, case_id: int, data: dict) -> None:
    """Record the payment into the household's registered account, with the bank's reference."""
    service.disburse_case(user, case_id, data)


@case_action("reject", ReasonIn)
def reject(user, case_id: int, data: dict) -> None:
    """Reject before payment (an approver); the reservation is released."""
    service.close_case(user, case_id, "reject", data["reason"])


@case_action("withdraw", ReasonIn)
def withdraw(user, case_id: int, data: dict) -> None:
    """Withdraw before approval on the household's request (a clerk); the reservation is released."""
    service.close_case(user, case_id, "withdraw", data["reason"])


@blp.route("/publicity")
@login_required
@blp.arguments(PublicityArgs, location="query")
@blp.response(200, PublicityPage)
def list_publicity(args):
    """The village 公示 lists you may see, newest first, optionally of one village or township."""
    rows, total = publicity_service.list_publicity(g.user, args["village"], args["page"], page_size(args))
    return paged(rows, total, args)


@blp.route("/publicity/<int:publicity_id>")
@login_required
@blp.response(200, PublicityOut)
def get_publicity(publicity_id: int):
    """One village 公示 list as posted, without the cases objections took off it."""
    return publicity_service.get_publicity(g.user, publicity_id)
