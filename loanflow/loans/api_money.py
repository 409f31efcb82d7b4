"""The loan's money in the API: the repayments list, and the money actions of
``POST /loans/{id}/{action}`` (their bodies and service calls).

``MONEY_ACTIONS`` joins the case actions in ``loanflow/loans/api.py``, which
dispatches without knowing them.
"""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import fields, validate

from loanflow.api.auth import login_required
from loanflow.api.fields import Id, Money
from loanflow.api.schema import Schema
from loanflow.loans.fund import services as loan_fund
from loanflow.loans.schemas import LoanAction, ReasonIn, RepaymentsOut
from loanflow.loans.services import extensions as loan_extensions
from loanflow.loans.services import money as loan_money
from loanflow.loans.services.queries import get_loan

Text = fields.String

blp = Blueprint("loan_money", __name__, description="A loan's repayments (还款) and their reversal (冲正)")


@blp.route("/loans/<int:loan_id>/repayments")
@login_required
@blp.response(200, RepaymentsOut)
def get_repayments(loan_id: int):
    """The loan's repayments, reversed ones marked, each with how it was split."""
    return get_loan(g.user, loan_id)


class RepayIn(Schema):
    amount = Money(required=True)
    date = fields.Date(load_default=None)
    prepay = fields.Boolean(
        load_default=False,
        metadata={
            "description": "What is left after the amounts due prepays principal (提前还款); "
            "without it the rest is kept as an advance (预收) for the next lines"
        },
    )


class ReverseIn(Schema):
    repayment_id = Id(required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class ExtensionRequestIn(Schema):
    months = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=120))
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class DateIn(Schema):
    date = fields.Date(load_default=None)


class RecallIn(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))
    date = fields.Date(load_default=None)


class ClaimIn(Schema):
    note = Text(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "What the bank did to collect (催收情况: visits, letters …)"},
    )


class NothingIn(Schema):
    """No body: the county approver approves the claim as it stands."""


class RecoverIn(Schema):
    amount = Money(required=True)
    date = fields.Date(load_default=None)


def _repay(user, loan_id, d):
    repayment = loan_money.repay_loan(user, loan_id, d["amount"], d["date"], prepay=d["prepay"])
    return get_loan(user, repayment.loan_id)


def _reverse(user, loan_id, d):
    loan_money.reverse_repayment(user, loan_id, d["repayment_id"], d["reason"])
    return get_loan(user, loan_id)


MONEY_ACTIONS: dict[str, LoanAction] = {
    "repay": LoanAction(RepayIn, _repay),
    "reverse-repayment": LoanAction(ReverseIn, _reverse),
    "request-extension": LoanAction(
        ExtensionRequestIn,
        lambda user, loan_id, d: loan_extensions.request_extension(user, loan_id, d["months"], d["reason"]),
    ),
    "extend": LoanAction(
        DateIn, lambda user, loan_id, d: loan_extensions.extend_loan(user, loan_id, d["date"])
    ),
    "recall": LoanAction(
        RecallIn, lambda user, loan_id, d: loan_extensions.recall_loan(user, loan_id, d["reason"], d["date"])
    ),
    "decline-extension": LoanAction(
        ReasonIn, lambda user, loan_id, d: loan_extensions.decline_extension(user, loan_id, d["reason"])
    ),
    "claim-compensation": LoanAction(
        ClaimIn, lambda user, loan_id, d: loan_fund.claim_compensation(user, loan_id, d["note"])
    ),
    "approve-compensation": LoanAction(
        NothingIn, lambda user, loan_id, d: loan_fund.approve_compensation(user, loan_id)
    ),
    "refuse-compensation": LoanAction(
        ReasonIn, lambda user, loan_id, d: loan_fund.refuse_compensation(user, loan_id, d["reason"])
    ),
    "recover": LoanAction(
        RecoverIn, lambda user, loan_id, d: loan_fund.recover_loan(user, loan_id, d["amount"], d["date"])
    ),
}
