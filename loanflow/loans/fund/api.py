"""/api/v1: the county fund (风险补偿金), the subsidy claim list (贴息清单), a loan's repayments."""

from __future__ import annotations

from flask import Response, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from loanflow.api.auth import login_required
from loanflow.api.fields import Id, Money
from loanflow.api.idempotency import idempotent
from loanflow.core.domain.money import format_money
from loanflow.loans import claims as claims_service
from loanflow.loans.fund import services as loan_fund
from loanflow.loans.services.money import live_repayments
from loanflow.loans.services.queries import get_loan

blp = Blueprint("fund", __name__, description="The county fund, the subsidy claim list, repayments")


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


def entry_json(e) -> dict:
    return {
        "id": e.id,
        "kind": e.kind,
        "amount": format_money(e.amount),
        "date": e.entry_date.isoformat(),
        "loan_id": e.loan_id,
        "note": e.note,
    }


def fund_json(view: loan_fund.FundView) -> dict:
    return {
        "county_code": view.county_code,
        "balance": format_money(view.balance),
        "outstanding_principal": format_money(view.outstanding_principal),
        "committed_principal": format_money(view.committed),  # credited, not yet disbursed
        "leverage": view.leverage,
        "ceiling": format_money(view.ceiling),
        "headroom": format_money(view.headroom),
        "entries": [entry_json(e) for e in view.entries],
    }


@blp.route("/fund")
@login_required
@blp.arguments(FundArgs, location="query")
def get_fund(args):
    """The county fund: balance, outstanding principal, the ceiling it allows, its ledger."""
    return fund_json(loan_fund.fund_view(g.user, args["county_code"]))


@blp.route("/fund/deposits", methods=["POST"])
@login_required
@idempotent
@blp.arguments(DepositIn)
def post_deposit(data):
    """The admin records a deposit into the county fund."""
    entry = loan_fund.deposit(g.user, data["county_code"], data["amount"], data["date"], data["reference"])
    return entry_json(entry), 201


@blp.route("/claims")
@login_required
@blp.arguments(ClaimArgs, location="query")
def get_claims(args):
    """The quarter's subsidy claim list of a branch, as JSON or as an xlsx workbook."""
    claims = claims_service.claim_list(g.user, args["quarter"], args["branch_id"])
    if args["format"] == "xlsx":
        name = f"claims-{claims.quarter}-branch{claims.branch.id}.xlsx"
        return Response(
            claims_service.claim_xlsx(claims),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return claims_json(claims)


def claims_json(claims) -> dict:
    heads = claims_service.head_names(claims.rows)
    return {
        "quarter": claims.quarter,
        "start": claims.start.isoformat(),
        "end": claims.end.isoformat(),
        "branch": {"id": claims.branch.id, "name": claims.branch.name},
        "items": [
            {
                "loan_id": r.loan_id,
                "case_number": r.case_number,
                "household_id": r.household_id,
                "household_head": heads.get(r.household_id, ""),
                "borrower_name": r.borrower_name,
                "village_code": r.village_code,
                "line": r.seq,
                "settlement_date": r.settlement_date.isoformat(),
                "interest": format_money(r.interest),
                "subsidy": format_money(r.subsidy),
            }
            for r in claims.rows
        ],
        "total_interest": format_money(claims.total_interest),
        "total_subsidy": format_money(claims.total_subsidy),
        "count": len(claims.rows),
    }


@blp.route("/loans/<int:loan_id>/repayments")
@login_required
def get_repayments(loan_id: int):
    """The loan's repayments, reversed ones marked, each with how it was split."""
    from loanflow.extensions import db
    from loanflow.loans.models import Repayment

    loan = get_loan(g.user, loan_id)
    rows = db.session.scalars(db.select(Repayment).where(Repayment.loan_id == loan.id).order_by(Repayment.id))
    live = {r.id for r in live_repayments(loan.id)}
    return {
        "loan_id": loan.id,
        "items": [
            {
                "id": r.id,
                "date": r.paid_on.isoformat(),
                "amount": format_money(r.amount),
                "allocation": r.allocation,
                "recorded_by_id": r.recorded_by_id,
                "reversed": r.id not in live,
                "reversal_reason": r.reversal_reason,
            }
            for r in rows
        ],
    }
