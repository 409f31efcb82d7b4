"""Loan request bodies, the table of case actions (``CASE_ACTIONS``), and how a loan is shown.

An action of ``POST /loans/{id}/{action}`` is an entry of a table of actions: the
schema of its body and the service call. ``CASE_ACTIONS`` here (rate, credit,
disburse, reject, withdraw) and ``MONEY_ACTIONS`` in ``loanflow/loans/api_money.py``;
``loanflow/loans/api.py`` joins the two and dispatches without knowing them. The ``…Out`` schemas build every loan
response from the loan itself (the services return rows, never JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, pre_dump, validate

from loanflow.accounts.models import User
from loanflow.api.common import PageArgs, Shown, current_user, page_of
from loanflow.api.fields import Code, DecimalString, Id, Label, Money, MoneyOut
from loanflow.api.schema import Schema
from loanflow.audit.schemas import Timeline
from loanflow.core.domain.idcard import mask_account, mask_id_number
from loanflow.core.domain.labels import codes
from loanflow.core.domain.money import format_money
from loanflow.core.errors import Invalid
from loanflow.core.scope import can_see_full_identity
from loanflow.loans.models import Loan
from loanflow.loans.services import actions as service
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.services.position import plan_in_force, position_of, repayments_of
from loanflow.loans.services.queries import is_stalled

Text = fields.String
_DATE = {"type": "string", "format": "date"}
_MONEY = {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$"}


class LoanIn(Schema):
    household_id = Id(required=True)
    borrower_id_number = Text(required=True, validate=validate.Length(min=1, max=40))
    amount = Money(required=True)
    term_months = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=-(2**31), max=2**31 - 1)
    )
    purpose = Text(required=True, validate=validate.Length(min=1, max=40))
    purpose_detail = Text(load_default="", validate=validate.Length(max=500))
    consent = fields.Boolean(required=True, truthy={True}, falsy={False})


class LoanSearch(PageArgs):
    state = Code(codes("loan_state"), load_default=None)
    village = Text(load_default=None, validate=validate.Regexp(r"^\d{6,12}$"))
    household_id = Id(load_default=None, strict=False)
    overdue = fields.Boolean(load_default=None)
    stalled = fields.Boolean(load_default=None)


class RateIn(Schema):
    scores = fields.Dict(keys=Text(), values=fields.Raw(), required=True)


class CreditIn(Schema):
    amount = Money(required=True)
    term_months = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=-(2**31), max=2**31 - 1)
    )


class DisburseIn(Schema):
    date = fields.Date(load_default=None)


class ReasonIn(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


Handler = Callable[[User, int, dict[str, Any]], Any]


@dataclass(frozen=True)
class LoanAction:
    """One case action: its body schema and the service call, ``handler(user, loan_id, data)``."""

    schema: type[Schema]
    handler: Handler

    def parse(self, body: Any) -> dict[str, Any]:
        """The body as the service wants it; 422 naming every bad or extra field."""
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise Invalid({"_body": ["请求体须为 JSON 对象 / the body must be a JSON object"]})
        try:
            return self.schema().load(body)
        except ValidationError as e:
            raise Invalid(_flat(e.messages)) from e


def _flat(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    items = messages.items() if isinstance(messages, dict) else [("", messages)]
    for key, value in items:
        name = f"{prefix}.{key}" if prefix and key != "" else (str(key) or prefix or "_body")
        if isinstance(value, dict):
            out.update(_flat(value, name))
        else:
            out.setdefault(name, []).extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return out


CASE_ACTIONS: dict[str, LoanAction] = {
    "rate": LoanAction(RateIn, lambda user, loan_id, d: loan_credit.rate_loan(user, loan_id, d["scores"])),
    "credit": LoanAction(
        CreditIn,
        lambda user, loan_id, d: loan_credit.credit_loan(user, loan_id, d["amount"], d["term_months"]),
    ),
    "disburse": LoanAction(
        DisburseIn, lambda user, loan_id, d: loan_credit.disburse_loan(user, loan_id, d["date"])
    ),
    "reject": LoanAction(ReasonIn, lambda user, loan_id, d: service.reject_loan(user, loan_id, d["reason"])),
    "withdraw": LoanAction(
        ReasonIn, lambda user, loan_id, d: service.withdraw_loan(user, loan_id, d["reason"])
    ),
}


# --- what the API shows -------------------------------------------------------------------------


class _NotLent:
    """The money of a loan not yet disbursed: nothing due, no payoff, no position to break down."""

    due_now = payoff = None
    days_overdue = 0


class LoanSummaryOut(Schema):
    """A loan in a list: masked identity, the state and the stage deadline."""

    id = fields.Integer()
    case_number = Text()
    household_id = fields.Integer()
    village_code = Text()
    borrower_name = Text()
    borrower_id_number = fields.Method("_id_number", metadata={"type": "string"})
    state = Text()
    state_label = Label("loan_state", "state")
    requested_amount = MoneyOut()
    credited_amount = MoneyOut()
    purpose = Text()
    purpose_label = Label("purpose", "purpose")
    applied_on = fields.Date(allow_none=True)
    stage_due_on = fields.Date(allow_none=True)
    stage_due_provisional = fields.Boolean()
    stalled = fields.Function(is_stalled, metadata={"type": "boolean"})

    def _id_number(self, loan: Loan) -> str:
        return mask_id_number(loan.borrower_id_number)


class RatingOut(Schema):
    score = fields.Integer(attribute="rating_score")
    grade = Text(attribute="rating_grade")
    grade_label = fields.Function(lambda loan: _grade_label(loan), metadata={"type": "string"})
    limit = MoneyOut(attribute="rating_limit")
    scores = fields.Dict(attribute="rating_scores", allow_none=True)
    rated_on = fields.Date(allow_none=True)
    policy_version = fields.Integer(attribute="rating_policy_version", allow_none=True)


class ExtensionOut(Schema):
    requested_months = fields.Integer(attribute="extension_requested_months", allow_none=True)
    reason = Text(attribute="extension_reason", allow_none=True)
    requested_on = fields.Date(attribute="extension_requested_on", allow_none=True)
    count = fields.Integer(attribute="extension_count")
    extended_months = fields.Integer(allow_none=True)
    extended_on = fields.Date(allow_none=True)
    rate = DecimalString(attribute="extension_rate", allow_none=True)
    declined_on = fields.Date(attribute="extension_declined_on", allow_none=True)
    declined_reason = Text(attribute="extension_declined_reason", allow_none=True)


class ClaimOut(Schema):
    """The compensation claim (代偿申请): waiting for the county, or the last one refused."""

    note = Text(attribute="claim_note", allow_none=True)
    claimed_on = fields.Date(allow_none=True)
    claimed_from = Text(allow_none=True)
    refused_on = fields.Date(attribute="claim_refused_on", allow_none=True)
    refusal_reason = Text(attribute="claim_refusal_reason", allow_none=True)


class OwedOut(Schema):
    principal = MoneyOut(allow_none=False)
    interest = MoneyOut(allow_none=False)
    penalty = MoneyOut(allow_none=False)
    compound = MoneyOut(allow_none=False)
    total = MoneyOut(allow_none=False)


class ScheduleSummaryOut(Schema):
    """The plan in force in one line: how many lines, first and last due date, totals."""

    lines = fields.Function(len, metadata={"type": "integer"})
    first_due_date = fields.Function(lambda lines: lines[0].due_date.isoformat(), metadata=_DATE)
    maturity = fields.Function(lambda lines: lines[-1].due_date.isoformat(), metadata=_DATE)
    total_principal = fields.Function(lambda lines: _total(lines, "principal"), metadata=_MONEY)
    total_interest = fields.Function(lambda lines: _total(lines, "interest"), metadata=_MONEY)
    total_subsidy = fields.Function(lambda lines: _total(lines, "subsidy"), metadata=_MONEY)
    total_household_interest = fields.Function(
        lambda lines: _total(lines, "household_interest"), metadata=_MONEY
    )


class LoanOut(LoanSummaryOut):
    """One loan for its own page: decisions, money as strings, allowed actions, the timeline.

    The ID number and the bank account are whole for the roles whose work needs them. The
    position fields (``due_now_breakdown`` … ``current_rate``) come once the loan is disbursed.
    """

    version = fields.Integer()
    branch_id = fields.Integer(allow_none=True)
    requested_term_months = fields.Integer(allow_none=True)
    purpose_detail = Text(allow_none=True)
    consent = fields.Boolean()
    application_policy_version = fields.Integer(allow_none=True)
    allowed_actions = fields.List(Text())
    rating = fields.Nested(RatingOut, allow_none=True)
    term_months = fields.Integer(attribute="credited_term_months", allow_none=True)
    rate = DecimalString(allow_none=True)
    method = Text(allow_none=True)
    method_label = Label("method", "method")
    credited_on = fields.Date(allow_none=True)
    credit_policy_version = fields.Integer(allow_none=True)
    disbursed_on = fields.Date(allow_none=True)
    maturity_on = fields.Date(attribute="current_maturity", allow_none=True)
    original_maturity_on = fields.Date(attribute="maturity_on", allow_none=True)
    account_type = Text(allow_none=True)
    account_type_label = Label("account_type", "account_type")
    bank_account = fields.Method("_bank_account", allow_none=True, metadata={"type": "string"})
    bank_name = Text(allow_none=True)
    extension = fields.Nested(ExtensionOut)
    recalled_on = fields.Date(allow_none=True)
    compensated_on = fields.Date(allow_none=True)
    claim = fields.Nested(ClaimOut, allow_none=True)
    closed_on = fields.Date(allow_none=True)
    closing_reason = Text(allow_none=True)
    due_now = MoneyOut(attribute="money.due_now")
    due_now_breakdown = fields.Nested(OwedOut, attribute="money.due_now_owed")
    payoff = MoneyOut(
        attribute="money.payoff",
        metadata={"description": "What closes the loan today: payoff_breakdown's total less the advance"},
    )
    advance = MoneyOut(
        attribute="money.advance", metadata={"description": "Received and not yet applied (预收)"}
    )
    plan_revision = fields.Integer(metadata={"description": "The revision of the plan in force"})
    payoff_breakdown = fields.Nested(OwedOut, attribute="money.payoff_owed")
    outstanding_principal = MoneyOut(attribute="money.outstanding_principal", allow_none=False)
    overdue_days = fields.Integer(attribute="money.days_overdue")
    overdue_since = fields.Date(attribute="money.overdue_since", allow_none=True)
    maturity = fields.Date(attribute="money.maturity")
    current_rate = DecimalString(attribute="money.rate")
    schedule = fields.Nested(ScheduleSummaryOut, allow_none=True)
    timeline = Timeline("loan")

    @pre_dump
    def _read_once(self, loan: Loan, **kwargs) -> Shown:
        lines = plan_in_force(loan) if loan.disbursed_on else []
        return Shown(
            loan,
            whole=can_see_full_identity(current_user()),
            allowed_actions=service.allowed_actions(current_user(), loan),
            rating=None if loan.rating_score is None else loan,
            extension=loan,
            claim=loan if loan.claimed_on else None,
            money=position_of(loan) or _NotLent(),
            schedule=lines or None,
        )

    def _id_number(self, loan: Shown) -> str:
        return loan.borrower_id_number if loan.whole else mask_id_number(loan.borrower_id_number)

    def _bank_account(self, loan: Shown) -> str | None:
        if loan.bank_account is None:
            return None
        return loan.bank_account if loan.whole else mask_account(loan.bank_account)


class RepaymentOut(Schema):
    id = fields.Integer()
    date = fields.Date(attribute="paid_on")
    amount = MoneyOut(allow_none=False)
    allocation = fields.Dict(allow_none=True, metadata={"description": "How it was split, as stored"})
    recorded_by_id = fields.Integer(allow_none=True)
    reversed = fields.Function(lambda r: r.reversed_at is not None, metadata={"type": "boolean"})
    reversal_reason = Text(allow_none=True)


class RepaymentsOut(Schema):
    """``GET /loans/{id}/repayments``: every repayment in the order recorded, reversed ones marked."""

    loan_id = fields.Integer(attribute="id")
    items = fields.List(fields.Nested(RepaymentOut))

    @pre_dump
    def _read_once(self, loan: Loan, **kwargs) -> Shown:
        return Shown(loan, items=sorted(repayments_of(loan.id), key=lambda r: r.id))


LoanPage = page_of(LoanSummaryOut, "LoanPage")


def _total(lines: list, column: str) -> str:
    return format_money(sum((getattr(x, column) for x in lines), start=Decimal("0.00")))


def _grade_label(loan: Loan) -> str | None:
    from loanflow.policy.services import policy_version

    if loan.rating_grade is None or loan.rating_policy_version is None:
        return None
    grades = {g.grade: g.label for g in policy_version(loan.rating_policy_version).grades()}
    return grades.get(loan.rating_grade)
