"""How the plan in force (还款计划) and its revisions are shown: ``GET /loans/{id}/schedule``."""

from __future__ import annotations

from marshmallow import fields, validate

from loanflow.api.fields import DecimalString, Label, MoneyOut
from loanflow.api.schema import Schema
from loanflow.core.domain.money import format_money

Text = fields.String
_MONEY = {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$"}


class ScheduleLineOut(Schema):
    """One line of the plan: principal, interest, its subsidy and the household's share."""

    seq = fields.Integer()
    start_date = fields.Date()
    due_date = fields.Date()
    opening_principal = MoneyOut(allow_none=False)
    principal = MoneyOut(allow_none=False)
    interest = MoneyOut(allow_none=False)
    subsidy = MoneyOut(allow_none=False)
    household_interest = MoneyOut(allow_none=False)
    household_due = fields.Function(
        lambda line: format_money(line.principal + line.household_interest), metadata=_MONEY
    )
    rate = DecimalString()


class PlanLineOut(ScheduleLineOut):
    """A line of the plan; ``paid`` and ``still_due`` for the plan in force only."""

    paid = MoneyOut(allow_none=True)
    still_due = MoneyOut(allow_none=True)


class RevisionOut(Schema):
    number = fields.Integer()
    cause = Text()
    cause_label = Label("plan_cause", "cause")
    effective_on = fields.Date()


class ScheduleIn(Schema):
    revision = fields.Integer(load_default=None, strict=False, validate=validate.Range(min=0, max=10_000))


class ScheduleOut(Schema):
    """``GET /loans/{id}/schedule``: the plan in force (or ``?revision=n``), what made it, every revision."""

    loan_id = fields.Integer()
    revision = fields.Integer()
    cause = Text()
    cause_label = Label("plan_cause", "cause")
    effective_on = fields.Date()
    in_force = fields.Boolean()
    lines = fields.List(fields.Nested(PlanLineOut))
    revisions = fields.List(fields.Nested(RevisionOut))
