"""Request bodies and response shapes of the subsidy API (产业奖补, 公示)."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import fields, pre_dump, validate

from loanflow.api.common import PageArgs, Shown, current_user, page_of
from loanflow.api.errors import language
from loanflow.api.fields import Code, Id, Label, MoneyOut
from loanflow.api.schema import Schema
from loanflow.audit.schemas import Timeline
from loanflow.core import clock
from loanflow.core.domain.idcard import mask_account
from loanflow.core.domain.labels import codes, label
from loanflow.core.domain.policy import Policy
from loanflow.core.scope import can_see_full_identity
from loanflow.policy.services import current_policy
from loanflow.subsidies.domain.amounts import amount_working, format_quantity
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.publicity import publicity_entries
from loanflow.subsidies.workflow import allowed_actions

Text = fields.String
QUANTITY_META = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^\d{1,12}(\.\d{1,2})?$",
    "example": "12.5",
}
QUANTITY_OUT = {"type": "string", "format": "decimal", "example": "12.5"}


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


class _Industry(Schema):
    """The industry's name and unit in the client's language, from the policy the case was read with."""

    industry = Text()
    industry_label = fields.Method("_industry_label", metadata={"type": "string"})
    unit = fields.Method("_unit", allow_none=True, metadata={"type": "string"})

    def _industry_label(self, obj) -> str:
        ind = _policy(obj).industries().get(_get(obj, "industry"))
        if ind is None:
            return _get(obj, "industry")
        return ind.name_en if language() == "en" else ind.name_zh

    def _unit(self, obj) -> str | None:
        ind = _policy(obj).industries().get(_get(obj, "industry"))
        if ind is None:
            return None
        return ind.unit_en if language() == "en" else ind.unit_zh

    def _amount_working(self, obj) -> str:
        return amount_working(_get(obj, "computation"), self._unit(obj) or "", language())


def _get(obj, name: str):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _policy(obj) -> Policy:
    policy = (
        _get(obj, "policy") if (isinstance(obj, dict) and "policy" in obj) or hasattr(obj, "policy") else None
    )
    return policy or current_policy()


def with_policy(items: list) -> list:
    """Each row of a page with the policy in force, read once for the page."""
    policy = current_policy()
    return [Shown(x, policy=policy) for x in items]


class PublicityRefOut(Schema):
    """The 公示 a case went through: its period and the first day approval is allowed."""

    id = fields.Integer()
    posted_on = fields.Date(allow_none=True)
    start = fields.Date(attribute="start_on", allow_none=True)
    end = fields.Date(attribute="end_on", allow_none=True)
    approval_opens = fields.Date(attribute="approval_opens_on", allow_none=True)
    provisional = fields.Boolean()


class SubsidySummaryOut(_Industry):
    """A subsidy case in a list: codes with labels, money as strings, the stage deadline."""

    id = fields.Integer()
    version = fields.Integer()
    household_id = fields.Integer()
    head_name = fields.Function(
        lambda c: c.household.head.name if c.household.head else None, allow_none=True
    )
    village_code = Text()
    village_name = fields.Function(lambda c: c.village.name if c.village else None, allow_none=True)
    declared_quantity = fields.Function(lambda c: format_quantity(c.declared_quantity), metadata=QUANTITY_OUT)
    verified_quantity = fields.Function(
        lambda c: format_quantity(c.verified_quantity) if c.verified_quantity else None,
        allow_none=True,
        metadata=QUANTITY_OUT,
    )
    unit_rate = MoneyOut()
    amount = MoneyOut()
    capped = fields.Function(
        lambda c: bool(c.computation and c.computation.get("capped")),
        metadata={"type": "boolean", "description": "True when the household's cap cut the amount (封顶)"},
    )
    amount_working = fields.Method(
        "_amount_working",
        metadata={
            "type": "string",
            "description": "How the amount came about: 18 头 × 200 = 3,600, 封顶 3,000",
        },
    )
    state = Text()
    state_label = Label("subsidy_state", "state")
    applied_on = fields.Date(allow_none=True)
    stage_due_on = fields.Date(allow_none=True)
    stage_due_provisional = fields.Boolean()


class StageOut(Schema):
    since = fields.Date(attribute="stage_started_on", allow_none=True)
    working_days = fields.Integer(attribute="stage_days", allow_none=True)
    due_on = fields.Date(attribute="stage_due_on", allow_none=True)
    provisional = fields.Boolean(attribute="stage_due_provisional")


class ObjectionOut(Schema):
    raised_by = Text()
    reason = Text()
    recorded_on = fields.Date(allow_none=True)


class SubsidyOut(SubsidySummaryOut):
    """One case: what you may do now, the amount and its computation, the deadline, the timeline.

    The paid account is whole for the roles whose work needs it, masked for the others.
    """

    allowed_actions = fields.List(Text())
    allowed_actions_labels = fields.Function(
        lambda c: [label("subsidy_action", a, language()) for a in c.allowed_actions],
        metadata={"type": "array", "items": {"type": "string"}},
    )
    consent = fields.Boolean()
    verify_note = Text(allow_none=True)
    computation = fields.Dict(allow_none=True, metadata={"description": "Every step of the amount"})
    reserved = fields.Boolean()
    policy_version = fields.Integer(allow_none=True)
    stage = fields.Nested(StageOut)
    verified_on = fields.Date(allow_none=True)
    approved_on = fields.Date(allow_none=True)
    disbursed_on = fields.Date(allow_none=True)
    payment_reference = fields.Function(lambda c: c.payment_reference or None, allow_none=True)
    paid_account = fields.Method("_paid_account", allow_none=True, metadata={"type": "string"})
    closed_on = fields.Date(allow_none=True)
    close_reason = fields.Function(lambda c: c.close_reason or None, allow_none=True)
    publicity = fields.Nested(PublicityRefOut, allow_none=True)
    objections = fields.List(fields.Nested(ObjectionOut))
    timeline = Timeline("subsidy")

    @pre_dump
    def _read_once(self, case: SubsidyCase, **kwargs) -> Shown:
        policy = current_policy()
        return Shown(
            case,
            policy=policy,
            stage=case,
            allowed_actions=allowed_actions(current_user(), case, policy, clock.today()),
        )

    def _paid_account(self, case) -> str | None:
        if can_see_full_identity(current_user()):
            return case.paid_account or None
        return mask_account(case.paid_account) or None


class PublicityEntryOut(_Industry):
    """One line of the 公示: who, what, how much — never an ID number, phone, account or poverty cause."""

    case_id = fields.Integer()
    head_name = Text()
    verified_quantity = Text(metadata=QUANTITY_OUT)
    amount = MoneyOut(allow_none=False)
    capped = fields.Function(
        lambda e: bool(e["computation"] and e["computation"]["capped"]), metadata={"type": "boolean"}
    )
    amount_working = fields.Method("_amount_working", metadata={"type": "string"})


class PublicityOut(PublicityRefOut):
    """The village 公示 list as posted, without the cases objections took off it."""

    village_code = Text()
    village_name = fields.Function(lambda p: p.village.name if p.village else None, allow_none=True)
    working_days = fields.Integer(attribute="policy_days")
    entries = fields.List(fields.Nested(PublicityEntryOut))
    count = fields.Integer()
    total_amount = MoneyOut(allow_none=False)

    @pre_dump
    def _read_once(self, p, **kwargs) -> Shown:
        policy = getattr(p, "policy", None) or current_policy()
        entries = [{**e, "policy": policy} for e in publicity_entries(p)]
        total = sum((e["amount"] for e in entries), start=Decimal("0.00"))
        return Shown(p, entries=entries, count=len(entries), total_amount=total)


SubsidyPage = page_of(SubsidySummaryOut, "SubsidyPage", prepare=with_policy)
PublicityPage = page_of(PublicityOut, "PublicityPage", prepare=with_policy)
