"""/api/v1: the county fund (风险补偿金) and the subsidy claim list (贴息清单)."""

from __future__ import annotations

from flask import Response, g
from flask_smorest import Blueprint
from marshmallow import fields, validate

from loanflow.api.auth import login_required, roles_first
from loanflow.api.fields import Id, Money
from loanflow.api.idempotency import idempotent
from loanflow.api.schema import Schema
from loanflow.loans import claims as claims_service
from loanflow.loans.fund import services as loan_fund
from loanflow.loans.fund.schemas import ClaimsOut, FundEntryOut, FundOut

blp = Blueprint("fund", __name__, description="The county fund and the subsidy claim list")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BINARY = {"type": "string", "format": "binary"}


class DepositIn(Schema):
    county_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    amount = Money(required=True)
    date = fields.Date(required=True)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))


class FundArgs(Schema):
    county_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$"))


class ClaimArgs(Schema):
    quarter = fields.String(required=True, validate=validate.Regexp(r"^\d{4}Q[1-4]$"))
    branch_id = Id(required=True, strict=False)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx"]))


@blp.route("/fund")
@login_required
@blp.arguments(FundArgs, location="query")
@blp.response(200, FundOut)
def get_fund(args):
    """The county fund: balance, outstanding principal, the ceiling it allows, its ledger."""
    return loan_fund.fund_view(g.user, args["county_code"])


@blp.route("/fund/deposits", methods=["POST"])
@login_required
@idempotent
@roles_first("admin")
@blp.arguments(DepositIn)
@blp.response(201, FundEntryOut)
def post_deposit(data):
    """The admin records a deposit into the county fund."""
    return loan_fund.deposit(g.user, data["county_code"], data["amount"], data["date"], data["reference"])


@blp.route("/claims")
@login_required
@blp.arguments(ClaimArgs, location="query")
@blp.response(200, ClaimsOut, description="The claim list: JSON, or an xlsx workbook (``format=xlsx``)")
@blp.alt_response(
    200,
    schema=BINARY,
    success=True,
    content_type=XLSX,
    description="The claim list: JSON, or an xlsx workbook (``format=xlsx``)",
)
def get_claims(args):
    """The quarter's subsidy claim list of a branch, as JSON or as an xlsx workbook."""
    claims = claims_service.claim_list(g.user, args["quarter"], args["branch_id"])
    if args["format"] == "xlsx":
        name = f"claims-{claims.quarter}-branch{claims.branch.id}.xlsx"
        return Response(
            claims_service.claim_xlsx(claims),
            mimetype=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return claims
