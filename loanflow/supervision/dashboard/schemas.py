"""What ``GET /dashboard`` takes and answers (the rows of ``dashboard.tables``), and the report's query."""

from __future__ import annotations

from marshmallow import fields, validate

from loanflow.api.fields import Money
from loanflow.api.schema import Schema

REGION = validate.Regexp(
    r"^(\d{6}|\d{9})$", error="须为县或乡镇代码（6 或 9 位数字） / a county or township code"
)


class DashboardArgs(Schema):
    region = fields.String(load_default=None, validate=REGION)
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)


class MonthArgs(Schema):
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$", error="YYYY-MM"))


class DashboardRegionOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()


class StateCountOut(Schema):
    state = fields.String()
    state_label = fields.String()
    count = fields.Integer()


class TownshipStalledOut(Schema):
    township = fields.String()
    name = fields.String()
    loans = fields.Integer()
    subsidies = fields.Integer()
    total = fields.Integer()


class CountAmountOut(Schema):
    count = fields.Integer()
    amount = Money()


class LoanAmountsOut(Schema):
    credited = fields.Nested(CountAmountOut, metadata={"description": "credited in the period"})
    disbursed = fields.Nested(CountAmountOut, metadata={"description": "disbursed in the period"})
    outstanding = fields.Nested(CountAmountOut, metadata={"description": "principal owed today"})


class OverdueBandOut(Schema):
    band = fields.String(metadata={"enum": ["1-30", "31-90", "91-180", "180+"]})
    band_label = fields.String()
    count = fields.Integer()
    principal = Money()


class CapOut(Schema):
    period = fields.String()
    household_cap = Money()
    households = fields.Integer(metadata={"description": "households with a reservation in the period"})
    reserved = Money()
    cap_total = Money(metadata={"description": "households × the cap"})
    households_at_cap = fields.Integer()


class SubsidyAmountsOut(Schema):
    approved = fields.Nested(CountAmountOut)
    paid = fields.Nested(CountAmountOut)
    cap = fields.Nested(CapOut)


class StageDurationOut(Schema):
    product = fields.String()
    product_label = fields.String()
    stage = fields.String()
    stage_label = fields.String()
    cases = fields.Integer(metadata={"description": "stages that ended in the period"})
    median_working_days = fields.Float(allow_none=True)


class CoverageOut(Schema):
    eligible_households = fields.Integer()
    households_with_loan = fields.Integer()
    share_percent = fields.String(allow_none=True, metadata={"description": "获贷率, percent to 0.1"})


class DashboardOut(Schema):
    """The numbers of a county or township for a period; stocks as of ``as_of``."""

    region = fields.Nested(DashboardRegionOut)
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    as_of = fields.String()
    figures_as_of = fields.String(
        allow_none=True,
        metadata={
            "description": "数据截至: every change committed before this instant (UTC) is counted; "
            "null while the rollup has not been built"
        },
    )
    figures_current = fields.Boolean(
        metadata={"description": "false while a change waits for the rollup's rebuild (a few seconds)"}
    )
    loans_by_state = fields.List(fields.Nested(StateCountOut))
    subsidies_by_state = fields.List(fields.Nested(StateCountOut))
    stalled_by_township = fields.List(fields.Nested(TownshipStalledOut))
    loan_amounts = fields.Nested(LoanAmountsOut)
    overdue_by_age = fields.List(fields.Nested(OverdueBandOut))
    subsidy_amounts = fields.Nested(SubsidyAmountsOut)
    stage_durations = fields.List(fields.Nested(StageDurationOut))
    loan_coverage = fields.Nested(CoverageOut)
