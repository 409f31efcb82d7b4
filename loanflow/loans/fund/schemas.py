"""What the fund API shows: the county fund (风险补偿金) and its ledger, the subsidy claim list (贴息清单)."""

from __future__ import annotations

from marshmallow import fields, pre_dump

from loanflow.api.common import Shown
from loanflow.api.fields import MoneyOut
from loanflow.api.schema import Schema
from loanflow.loans.claims import ClaimList, head_names

Text = fields.String


class FundEntryOut(Schema):
    """One line of the fund's ledger: a deposit, a payout for a compensated loan, a recovery."""

    id = fields.Integer()
    kind = Text()
    amount = MoneyOut(allow_none=False)
    date = fields.Date(attribute="entry_date")
    loan_id = fields.Integer(allow_none=True)
    note = Text(allow_none=True)


class FundOut(Schema):
    """The county fund: balance, outstanding principal, the ceiling it allows, its ledger."""

    county_code = Text()
    balance = MoneyOut(allow_none=False)
    outstanding_principal = MoneyOut(allow_none=False)
    committed_principal = MoneyOut(attribute="committed", allow_none=False)  # credited, not yet disbursed
    leverage = fields.Integer()
    ceiling = MoneyOut(allow_none=False)
    headroom = MoneyOut(allow_none=False)
    entries = fields.List(fields.Nested(FundEntryOut))


class BranchRef(Schema):
    id = fields.Integer()
    name = Text()


class ClaimRowOut(Schema):
    loan_id = fields.Integer()
    case_number = Text()
    household_id = fields.Integer()
    household_head = Text()
    borrower_name = Text()
    village_code = Text()
    line = fields.Integer(attribute="seq")
    settlement_date = fields.Date()
    interest = MoneyOut(allow_none=False)
    subsidy = MoneyOut(allow_none=False)


class ClaimsOut(Schema):
    """A branch's subsidy claim list for a quarter: each settled line's interest and subsidy."""

    quarter = Text()
    start = fields.Date()
    end = fields.Date()
    branch = fields.Nested(BranchRef)
    items = fields.List(fields.Nested(ClaimRowOut))
    total_interest = MoneyOut(allow_none=False)
    total_subsidy = MoneyOut(allow_none=False)
    count = fields.Integer()

    @pre_dump
    def _with_heads(self, claims: ClaimList, **kwargs) -> Shown:
        heads = head_names(claims.rows)  # 户主, read once for the list
        items = [Shown(r, household_head=heads.get(r.household_id, "")) for r in claims.rows]
        return Shown(claims, items=items, count=len(claims.rows))
