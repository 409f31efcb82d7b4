"""The loan case actions as HTML forms: what each posts, and the one service call it makes.

An action appears on a loan's page only when ``allowed_actions`` lists it for
the user now and this table has a form for it.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from loanflow.core.domain.reasons import Reason
from loanflow.loans.fund import services as loan_fund
from loanflow.loans.services import actions as loans
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.services import extensions as loan_extensions
from loanflow.loans.services import money as loan_money
from loanflow.policy.services import current_policy
from loanflow.web.forms import Errors, PageAction, Parsed, _text, date_field, money_field, parse_reason


def months_field(form: MultiDict, field: str, values: dict, data: dict, errors: Errors) -> None:
    """A whole number of months."""
    raw = (form.get(field) or "").strip()
    values[field] = raw
    if raw.isdigit() and 0 < int(raw) <= 600:
        data[field] = int(raw)
    else:
        errors.setdefault(field, []).append(
            Reason(f"{field}.months", "请填写整月数，如 12", "Enter a whole number of months, e.g. 12")
        )


def scorecard_items() -> list[dict[str, Any]]:
    """The items of the policy's scorecard in force (code, names, maximum points)."""
    return list(current_policy().loan["scorecard"])


def parse_scores(form: MultiDict) -> Parsed:
    """Points per scorecard item; anything not a whole number is left for the rating rules to name."""
    values, scores = {}, {}
    for item in scorecard_items():
        raw = (form.get(f"scores.{item['code']}") or "").strip()
        values[f"scores.{item['code']}"] = raw
        if raw:
            scores[item["code"]] = int(raw) if raw.isdigit() else raw
    return values, {"scores": scores}, {}


def parse_credit(form: MultiDict) -> Parsed:
    values, data, errors = {}, {}, {}
    money_field(form, "amount", values, data, errors)
    months_field(form, "term_months", values, data, errors)
    return values, data, errors


def parse_date(form: MultiDict) -> Parsed:
    values, data, errors = {}, {}, {}
    date_field(form, "date", values, data, errors, required=False)
    return values, data, errors


def parse_payment(form: MultiDict) -> Parsed:
    values, data, errors = parse_date(form)
    money_field(form, "amount", values, data, errors)
    return values, data, errors


def parse_repayment(form: MultiDict) -> Parsed:
    """A repayment; the box ``prepay`` asks that what is left prepays principal (提前还款)."""
    values, data, errors = parse_payment(form)
    values["prepay"] = data["prepay"] = form.get("prepay") == "yes"
    return values, data, errors


def parse_note(form: MultiDict) -> Parsed:
    """The bank's collection note (催收情况) of a compensation claim."""
    values, data, errors = {}, {}, {}
    _text(form, "note", values, data, errors, required=True)
    return values, data, errors


def parse_nothing(form: MultiDict) -> Parsed:
    return {}, {}, {}


def parse_extension_request(form: MultiDict) -> Parsed:
    values, data, errors = parse_reason(form)
    months_field(form, "months", values, data, errors)
    return values, data, errors


def parse_reversal(form: MultiDict) -> Parsed:
    values, data, errors = parse_reason(form)
    raw = (form.get("repayment_id") or "").strip()
    values["repayment_id"] = raw
    if raw.isdigit():
        data["repayment_id"] = int(raw)
    else:
        errors["repayment_id"] = [Reason("repayment_id", "请选择要冲正的还款", "Choose the repayment")]
    return values, data, errors


ACTIONS: dict[str, PageAction] = {
    "rate": PageAction(parse_scores, lambda u, i, d: loan_credit.rate_loan(u, i, d["scores"])),
    "credit": PageAction(
        parse_credit, lambda u, i, d: loan_credit.credit_loan(u, i, d["amount"], d["term_months"])
    ),
    "disburse": PageAction(parse_date, lambda u, i, d: loan_credit.disburse_loan(u, i, d["date"])),
    "reject": PageAction(parse_reason, lambda u, i, d: loans.reject_loan(u, i, d["reason"]), danger=True),
    "withdraw": PageAction(parse_reason, lambda u, i, d: loans.withdraw_loan(u, i, d["reason"]), danger=True),
    "repay": PageAction(
        parse_repayment,
        lambda u, i, d: loan_money.repay_loan(u, i, d["amount"], d["date"], prepay=d["prepay"]),
    ),
    "reverse-repayment": PageAction(
        parse_reversal,
        lambda u, i, d: loan_money.reverse_repayment(u, i, d["repayment_id"], d["reason"]),
        danger=True,
    ),
    "request-extension": PageAction(
        parse_extension_request,
        lambda u, i, d: loan_extensions.request_extension(u, i, d["months"], d["reason"]),
    ),
    "extend": PageAction(parse_date, lambda u, i, d: loan_extensions.extend_loan(u, i, d["date"])),
    "recall": PageAction(
        parse_reason, lambda u, i, d: loan_extensions.recall_loan(u, i, d["reason"]), danger=True
    ),
    "decline-extension": PageAction(
        parse_reason, lambda u, i, d: loan_extensions.decline_extension(u, i, d["reason"]), danger=True
    ),
    "claim-compensation": PageAction(
        parse_note, lambda u, i, d: loan_fund.claim_compensation(u, i, d["note"]), danger=True
    ),
    "approve-compensation": PageAction(parse_nothing, lambda u, i, d: loan_fund.approve_compensation(u, i)),
    "refuse-compensation": PageAction(
        parse_reason, lambda u, i, d: loan_fund.refuse_compensation(u, i, d["reason"]), danger=True
    ),
    "recover": PageAction(
        parse_payment, lambda u, i, d: loan_fund.recover_loan(u, i, d["amount"], d["date"])
    ),
}


def parse_application(form: MultiDict, household_id: int) -> Parsed:
    """The loan application form (申请): borrower, amount, term, purpose, consent."""
    values: dict[str, Any] = {}
    data: dict[str, Any] = {"household_id": household_id}
    errors: Errors = {}
    _text(form, "borrower_id_number", values, data, errors, required=True)
    money_field(form, "amount", values, data, errors)
    months_field(form, "term_months", values, data, errors)
    _text(form, "purpose", values, data, errors, required=True)
    _text(form, "purpose_detail", values, data, errors, required=False)
    values["consent"] = data["consent"] = form.get("consent") == "yes"
    return values, data, errors
