"""Loan request bodies, the table of case actions (``ACTIONS``), and how a loan is shown.

An action of ``POST /loans/{id}/{action}`` is an entry of ``ACTIONS``: the
schema of its body and the service call. Other modules add theirs with
``register_action`` (the money actions: ``loanflow/api/loan_money.py``), and the
view dispatches without knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.api.common import PageArgs, timeline_json, with_label
from loanflow.api.fields import Code, Id, Money
from loanflow.core.domain.idcard import mask_account, mask_id_number
from loanflow.core.domain.labels import codes
from loanflow.core.domain.money import format_money
from loanflow.core.errors import Invalid
from loanflow.core.scope import can_see_full_identity
from loanflow.extensions import db
from loanflow.loans.models import Loan, LoanScheduleLine
from loanflow.loans.services import actions as service
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.services.money import money_json
from loanflow.loans.services.queries import is_stalled

Text = fields.String


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


ACTIONS: dict[str, LoanAction] = {}


def register_action(name: str, schema: type[Schema], handler: Handler) -> None:
    """Add ``POST /loans/{id}/{name}``: the body parsed with ``schema``, then ``handler`` called."""
    ACTIONS[name] = LoanAction(schema, handler)


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


register_action("rate", RateIn, lambda user, loan_id, d: loan_credit.rate_loan(user, loan_id, d["scores"]))
register_action(
    "credit",
    CreditIn,
    lambda user, loan_id, d: loan_credit.credit_loan(user, loan_id, d["amount"], d["term_months"]),
)
register_action(
    "disburse", DisburseIn, lambda user, loan_id, d: loan_credit.disburse_loan(user, loan_id, d["date"])
)
register_action("reject", ReasonIn, lambda user, loan_id, d: service.reject_loan(user, loan_id, d["reason"]))
register_action(
    "withdraw", ReasonIn, lambda user, loan_id, d: service.withdraw_loan(user, loan_id, d["reason"])
)


# --- presenting ---------------------------------------------------------------------------------


def _money(value) -> str | None:
    return None if value is None else format_money(value)


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def schedule_lines(loan: Loan) -> list[LoanScheduleLine]:
    """The plan in force: revision 0 at disbursement, n after the n-th extension."""
    stmt = (
        select(LoanScheduleLine)
        .where(LoanScheduleLine.loan_id == loan.id, LoanScheduleLine.revision == loan.extension_count)
        .order_by(LoanScheduleLine.seq)
    )
    return list(db.session.scalars(stmt))


def line_json(line: LoanScheduleLine) -> dict[str, Any]:
    return {
        "seq": line.seq,
        "start_date": line.start_date.isoformat(),
        "due_date": line.due_date.isoformat(),
        "opening_principal": _money(line.opening_principal),
        "principal": _money(line.principal),
        "interest": _money(line.interest),
        "subsidy": _money(line.subsidy),
        "household_interest": _money(line.household_interest),
        "household_due": _money(line.principal + line.household_interest),
        "rate": str(line.rate),
    }


def schedule_summary(lines: list[LoanScheduleLine]) -> dict[str, Any] | None:
    if not lines:
        return None
    total = {
        k: sum((getattr(x, k) for x in lines), start=Decimal("0.00"))
        for k in ("principal", "interest", "subsidy", "household_interest")
    }
    return {
        "lines": len(lines),
        "first_due_date": lines[0].due_date.isoformat(),
        "maturity": lines[-1].due_date.isoformat(),
        **{f"total_{k}": _money(v) for k, v in total.items()},
    }


def loan_summary_json(loan: Loan, user: User) -> dict[str, Any]:
    """A loan in a list: masked identity, the state and the stage deadline."""
    data = {
        "id": loan.id,
        "case_number": loan.case_number,
        "household_id": loan.household_id,
        "village_code": loan.village_code,
        "borrower_name": loan.borrower_name,
        "borrower_id_number": mask_id_number(loan.borrower_id_number),
        "state": loan.state,
        "requested_amount": _money(loan.requested_amount),
        "credited_amount": _money(loan.credited_amount),
        "purpose": loan.purpose,
        "applied_on": _iso(loan.applied_on),
        "stage_due_on": _iso(loan.stage_due_on),
        "stage_due_provisional": loan.stage_due_provisional,
        "stalled": is_stalled(loan),
    }
    with_label(data, "state", "loan_state")
    with_label(data, "purpose", "purpose")
    return data


def loan_json(loan: Loan, user: User, lang: str = "zh") -> dict[str, Any]:
    """One loan for its own page: decisions, money as strings, allowed actions, the timeline."""
    whole = can_see_full_identity(user)
    data = loan_summary_json(loan, user)
    lines = schedule_lines(loan) if loan.disbursed_on else []
    data.update(
        version=loan.version,
        branch_id=loan.branch_id,
        borrower_id_number=loan.borrower_id_number if whole else mask_id_number(loan.borrower_id_number),
        requested_term_months=loan.requested_term_months,
        purpose_detail=loan.purpose_detail,
        consent=loan.consent,
        application_policy_version=loan.application_policy_version,
        allowed_actions=service.allowed_actions(user, loan),
        rating=None
        if loan.rating_score is None
        else {
            "score": loan.rating_score,
            "grade": loan.rating_grade,
            "grade_label": _grade_label(loan),
            "limit": _money(loan.rating_limit),
            "scores": loan.rating_scores,
            "rated_on": _iso(loan.rated_on),
            "policy_version": loan.rating_policy_version,
        },
        term_months=loan.credited_term_months,
        rate=None if loan.rate is None else str(loan.rate),
        method=loan.method,
        credited_on=_iso(loan.credited_on),
        credit_policy_version=loan.credit_policy_version,
        disbursed_on=_iso(loan.disbursed_on),
        maturity_on=_iso(loan.current_maturity),
        original_maturity_on=_iso(loan.maturity_on),
        account_type=loan.account_type,
        bank_account=None
        if loan.bank_account is None
        else (loan.bank_account if whole else mask_account(loan.bank_account)),
        bank_name=loan.bank_name,
        extension={
            "requested_months": loan.extension_requested_months,
            "reason": loan.extension_reason,
            "requested_on": _iso(loan.extension_requested_on),
            "count": loan.extension_count,
            "extended_months": loan.extended_months,
            "extended_on": _iso(loan.extended_on),
            "rate": None if loan.extension_rate is None else str(loan.extension_rate),
        },
        recalled_on=_iso(loan.recalled_on),
        compensated_on=_iso(loan.compensated_on),
        closed_on=_iso(loan.closed_on),
        closing_reason=loan.closing_reason,
        **money_json(loan),
        schedule=schedule_summary(lines),
        timeline=timeline_json("loan", loan.id, lang),
    )
    with_label(data, "method", "method")
    with_label(data, "account_type", "account_type")
    return data


def _grade_label(loan: Loan) -> str | None:
    from loanflow.policy.services import policy_version

    if loan.rating_grade is None or loan.rating_policy_version is None:
        return None
    grades = {g.grade: g.label for g in policy_version(loan.rating_policy_version).grades()}
    return grades.get(loan.rating_grade)
