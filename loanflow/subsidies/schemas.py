"""Request bodies and response shapes of the subsidy API (产业奖补, 公示, calendar years)."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from loanflow.accounts.models import User
from loanflow.api.common import PageArgs, timeline_json, with_label
from loanflow.api.errors import language
from loanflow.api.fields import Code, Id
from loanflow.core import clock
from loanflow.core.domain.idcard import mask_account
from loanflow.core.domain.labels import codes, label
from loanflow.core.domain.money import format_money
from loanflow.core.domain.policy import Policy
from loanflow.core.scope import can_see_full_identity
from loanflow.policy.services import current_policy
from loanflow.subsidies.domain.amounts import format_quantity
from loanflow.subsidies.models import Publicity, SubsidyCase
from loanflow.subsidies.publicity import publicity_entries
from loanflow.subsidies.workflow import allowed_actions

Text = fields.String
QUANTITY_META = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^\d{1,12}(\.\d{1,2})?$",
    "example": "12.5",
}


class SubsidyIn(Schema):
    household_id = Id(required=True)
    industry = Text(required=True, validate=validate.Length(min=1, max=30))
    quantity = Text(required=True, metadata=QUANTITY_META)
    consent = fields.Boolean(required=True)


class VerifyIn(Schema):
    verified_quantity = Text(required=True, metadata=QUANTITY_META)
    note = Text(load_default="", validate=validate.Length(max=1000))


class PublicizeIn(Schema):
    case_ids = fields.List(Id(), load_default=None, validate=validate.Length(max=500))


class ObjectIn(Schema):
    raised_by = Text(required=True, validate=validate.Length(min=1, max=100))
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class DisburseIn(Schema):
    date = fields.Date(required=True)
    payment_reference = Text(required=True, validate=validate.Length(min=1, max=60))


class ReasonIn(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class Empty(Schema):
    pass


class SubsidyArgs(PageArgs):
    village = Text(load_default=None, validate=validate.Regexp(r"^\d{6,12}$"))
    state = Code(codes("subsidy_state"), load_default=None)
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    household_id = Id(load_default=None, strict=False)


class PublicityArgs(PageArgs):
    village = Text(load_default=None, validate=validate.Regexp(r"^\d{6,12}$"))


class CalendarYearIn(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    holidays = fields.List(fields.Date(), load_default=list)
    workdays = fields.List(fields.Date(), load_default=list)


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def _money(v) -> str | None:
    return None if v is None else format_money(v)


def _industry(data: dict, code: str, policy: Policy) -> None:
    ind = policy.industries().get(code)
    en = language() == "en"
    data["industry_label"] = (ind.name_en if en else ind.name_zh) if ind else code
    data["unit"] = (ind.unit_en if en else ind.unit_zh) if ind else None


def publicity_ref(p: Publicity | None) -> dict | None:
    if p is None:
        return None
    return {
        "id": p.id,
        "posted_on": _iso(p.posted_on),
        "start": _iso(p.start_on),
        "end": _iso(p.end_on),
        "approval_opens": _iso(p.approval_opens_on),
        "provisional": p.provisional,
    }


def subsidy_json(case: SubsidyCase, user: User, *, detail: bool = True, policy: Policy | None = None) -> dict:
    """A case as the API shows it: codes with labels, money as strings, the amount's computation.

    A list passes the ``policy`` it read once, so that its rows do not read it again each.
    """
    policy = policy or current_policy()
    head = case.household.head
    data = {
        "id": case.id,
        "version": case.version,
        "household_id": case.household_id,
        "head_name": head.name if head else None,
        "village_code": case.village_code,
        "village_name": case.village.name if case.village else None,
        "industry": case.industry,
        "declared_quantity": format_quantity(case.declared_quantity),
        "verified_quantity": format_quantity(case.verified_quantity) if case.verified_quantity else None,
        "unit_rate": _money(case.unit_rate),
        "amount": _money(case.amount),
        "state": case.state,
        "applied_on": _iso(case.applied_on),
        "stage_due_on": _iso(case.stage_due_on),
        "stage_due_provisional": case.stage_due_provisional,
    }
    _industry(data, case.industry, policy)
    with_label(data, "state", "subsidy_state")
    if not detail:
        return data
    actions = allowed_actions(user, case, policy, clock.today())
    data.update(
        {
            "allowed_actions": actions,
            "allowed_actions_labels": [label("subsidy_action", a, language()) for a in actions],
            "consent": case.consent,
            "verify_note": case.verify_note,
            "computation": case.computation,
            "reserved": case.reserved,
            "policy_version": case.policy_version,
            "stage": {
                "since": _iso(case.stage_started_on),
                "working_days": case.stage_days,
                "due_on": _iso(case.stage_due_on),
                "provisional": case.stage_due_provisional,
            },
            "verified_on": _iso(case.verified_on),
            "approved_on": _iso(case.approved_on),
            "disbursed_on": _iso(case.disbursed_on),
            "payment_reference": case.payment_reference or None,
            "paid_account": (
                case.paid_account if can_see_full_identity(user) else mask_account(case.paid_account)
            )
            or None,
            "closed_on": _iso(case.closed_on),
            "close_reason": case.close_reason or None,
            "publicity": publicity_ref(case.publicity),
            "objections": [
                {"raised_by": o.raised_by, "reason": o.reason, "recorded_on": _iso(o.recorded_on)}
                for o in case.objections
            ],
            "timeline": timeline_json("subsidy", case.id),
        }
    )
    return data


def publicity_json(p: Publicity, policy: Policy | None = None) -> dict:
    """The village 公示 list: who, what, how much — never an ID number, phone, account or poverty cause."""
    policy = policy or current_policy()
    entries = publicity_entries(p)
    total = sum((e["amount"] for e in entries), start=Decimal("0.00"))
    for e in entries:
        _industry(e, e["industry"], policy)
        e["amount"] = _money(e["amount"])
    return {
        **publicity_ref(p),
        "village_code": p.village_code,
        "village_name": p.village.name if p.village else None,
        "working_days": p.policy_days,
        "entries": entries,
        "count": len(entries),
        "total_amount": format_money(total),
    }
