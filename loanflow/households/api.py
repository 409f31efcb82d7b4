"""/api/v1/households: register, search, read, change; bank-account changes with four eyes."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from loanflow.api.auth import checked_first, login_required, roles_first
from loanflow.api.common import PageArgs, page_size, paged
from loanflow.api.fields import Code, Id, Money
from loanflow.api.idempotency import idempotent
from loanflow.api.schema import Schema
from loanflow.core.domain.labels import codes
from loanflow.households import services as service
from loanflow.households.schemas import AccountChangeOut, HouseholdOut, HouseholdPage

blp = Blueprint("households", __name__, description="The household register (建档立卡)")

Text = fields.String


class MemberIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=60))
    id_number = Text(load_default=None, allow_none=True, validate=validate.Length(max=40))
    no_id_reason = Text(load_default="", validate=validate.Length(max=200))
    relation = Code(codes("relation"), required=True)
    labour = Code(codes("labour"), required=True)
    phone = Text(load_default="", validate=validate.Length(max=20))


class HouseholdIn(Schema):
    village_code = Text(
        required=True,
        validate=validate.Regexp(r"^\d{12}$", error="须为 12 位村代码 / a 12-digit village code"),
    )
    address = Text(load_default="", validate=validate.Length(max=200))
    status = Code(codes("status"), required=True)
    monitoring = Code(codes("monitoring"), load_default="none")
    monitoring_set_on = fields.Date(load_default=None, allow_none=True)
    attribute = Code(codes("attribute"), required=True)
    main_cause = Code(codes("cause"), required=True)
    secondary_causes = fields.List(Code(codes("cause")), load_default=list)
    income_per_head = Money(required=True)
    account_type = Code(codes("account_type"), required=True)
    bank_account = Text(required=True, validate=validate.Length(min=1, max=32))
    bank_name = Text(required=True, validate=validate.Length(min=1, max=100))
    members = fields.List(fields.Nested(MemberIn), required=True, validate=validate.Length(min=1, max=30))
    change_reason = Text(load_default="", validate=validate.Length(max=500))
    document_ref = Text(load_default="", validate=validate.Length(max=100))


class HouseholdPatch(HouseholdIn):
    version = Id()

    class Meta:
        partial = True


class HouseholdSearch(PageArgs):
    q = Text(load_default=None)
    village = Text(load_default=None, validate=validate.Regexp(r"^\d{6,12}$"))


class AccountChangeIn(Schema):
    account_type = Code(codes("account_type"), required=True)
    bank_account = Text(required=True, validate=validate.Length(min=1, max=32))
    bank_name = Text(required=True, validate=validate.Length(min=1, max=100))
    reason = Text(load_default="", validate=validate.Length(max=500))


class Decision(Schema):
    confirm = fields.Boolean(required=True)


@blp.route("/households")
class Households(MethodView):
    decorators = [login_required]

    @blp.arguments(HouseholdSearch, location="query")
    @blp.response(200, HouseholdPage)
    def get(self, args):
        """Search the households you may see, by name, ID number or village; paged."""
        rows, total = service.search_households(
            g.user, args["q"], args["village"], args["page"], page_size(args)
        )
        return paged(rows, total, args)

    @idempotent
    @roles_first("clerk")
    @blp.arguments(HouseholdIn)
    @blp.response(201, HouseholdOut)
    def post(self, data):
        """Register a household with its members."""
        return service.register_household(g.user, data)


@blp.route("/households/<int:household_id>")
class HouseholdItem(MethodView):
    decorators = [login_required]

    @blp.response(200, HouseholdOut)
    def get(self, household_id: int):
        """One household, ID numbers and account whole for the roles whose work needs them."""
        return service.get_household(g.user, household_id)

    @idempotent
    @checked_first(service.editable_household)
    @blp.arguments(HouseholdPatch(partial=True))
    @blp.response(200, HouseholdOut)
    def patch(self, changes, household_id: int):
        """Change register fields (status and monitoring with a reason and a 文号)."""
        return service.update_household(g.user, household_id, changes)


@blp.route("/households/<int:household_id>/account-changes", methods=["POST"])
@login_required
@idempotent
@checked_first(service.editable_household)
@blp.arguments(AccountChangeIn)
@blp.response(201, AccountChangeOut)
def request_account_change(data, household_id: int):
    """Ask to change the registered bank account; a second user confirms it."""
    return service.request_account_change(g.user, household_id, data)


@blp.route("/households/<int:household_id>/account-changes/<int:change_id>", methods=["POST"])
@login_required
@idempotent
@checked_first(service.decidable_account_change)
@blp.arguments(Decision)
@blp.response(200, AccountChangeOut)
def decide_account_change(data, household_id: int, change_id: int):
    """Confirm or reject a pending account change (not by the one who asked)."""
    return service.decide_account_change(g.user, household_id, change_id, data["confirm"])
