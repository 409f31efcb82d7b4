"""The subsidy case actions as HTML forms: what each posts, and the one service call it makes."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from loanflow.policy.services import current_policy
from loanflow.subsidies import publicity
from loanflow.subsidies import services as subsidies
from loanflow.subsidies.domain.amounts import amount_working, format_quantity
from loanflow.web.forms import Errors, PageAction, Parsed, _text, date_field, parse_reason
from loanflow.web.present import lang


def parse_verify(form: MultiDict) -> Parsed:
    values, data, errors = {}, {}, {}
    _text(form, "verified_quantity", values, data, errors, required=True)
    _text(form, "note", values, data, errors, required=False)
    return values, data, errors


def parse_publicize(form: MultiDict) -> Parsed:
    ids = [int(x) for x in form.getlist("case_ids") if x.isdigit()]
    return {"case_ids": [str(i) for i in ids]}, {"case_ids": ids}, {}


def parse_objection(form: MultiDict) -> Parsed:
    values, data, errors = parse_reason(form)
    _text(form, "raised_by", values, data, errors, required=True)
    return values, data, errors


def parse_payment(form: MultiDict) -> Parsed:
    values, data, errors = {}, {}, {}
    date_field(form, "date", values, data, errors, required=True)
    _text(form, "payment_reference", values, data, errors, required=True)
    return values, data, errors


def parse_nothing(form: MultiDict) -> Parsed:
    return {}, {}, {}


ACTIONS: dict[str, PageAction] = {
    "verify": PageAction(parse_verify, lambda u, i, d: subsidies.verify_case(u, i, d)),
    "publicize": PageAction(parse_publicize, lambda u, i, d: publicity.publicize_cases(u, i, d["case_ids"])),
    "object": PageAction(parse_objection, lambda u, i, d: publicity.object_to_case(u, i, d), danger=True),
    "approve": PageAction(parse_nothing, lambda u, i, d: subsidies.approve_case(u, i)),
    "disburse": PageAction(parse_payment, lambda u, i, d: subsidies.disburse_case(u, i, d)),
    "reject": PageAction(
        parse_reason, lambda u, i, d: subsidies.close_case(u, i, "reject", d["reason"]), danger=True
    ),
    "withdraw": PageAction(
        parse_reason, lambda u, i, d: subsidies.close_case(u, i, "withdraw", d["reason"]), danger=True
    ),
}


def parse_application(form: MultiDict, household_id: int) -> Parsed:
    """The subsidy application (申报): industry, declared quantity, consent."""
    values: dict[str, Any] = {}
    data: dict[str, Any] = {"household_id": household_id}
    errors: Errors = {}
    _text(form, "industry", values, data, errors, required=True)
    _text(form, "quantity", values, data, errors, required=True)
    values["consent"] = data["consent"] = form.get("consent") == "yes"
    return values, data, errors


def industries() -> list[dict[str, Any]]:
    """The policy's industries with name and unit in the page's language, and the unit rate."""
    en = lang() == "en"
    return [
        {
            "code": i.code,
            "name": i.name_en if en else i.name_zh,
            "unit": i.unit_en if en else i.unit_zh,
            "rate": i.rate,
        }
        for i in current_policy().industries().values()
    ]


def industry_name(code: str) -> str:
    """An industry's name and unit, ``生猪（头）``; an industry no longer in the policy shows its code."""
    return industry_names().get(code, code)


def industry_names() -> dict[str, str]:
    """Every industry of the policy in force by code, as ``industry_name`` shows it (one policy read)."""
    return {i["code"]: f"{i['name']}（{i['unit']}）" for i in industries()}


def industry_namer():
    """``industry_name`` for one page: the policy is read at the first call only, not once per row."""
    names: dict[str, str] = {}

    def name(code: str) -> str:
        if not names:
            names.update(industry_names())
        return names.get(code, code)

    return name


def quantity(value) -> str:
    return "" if value is None else format_quantity(value)


def amount_line(computation: dict | None, industry_code: str) -> str:
    """How the amount came about, in the page's language: ``18 头 × 200 = 3,600, 封顶 3,000``."""
    units = {i["code"]: i["unit"] for i in industries()}
    return amount_working(computation, units.get(industry_code, ""), lang())
