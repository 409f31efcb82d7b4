"""Risk compensation (风险代偿) in figures: the fund's payout and its share of what is recovered later.

The fund pays its share of the outstanding principal; the bank bears the rest.
Money recovered afterwards settles what was owed at compensation like a
repayment — penalty, compound and interest first, then principal — and only the
principal it recovers is split back in the compensation's proportion: interest
and penalty are the bank's (the fund never paid them). Cumulative figures,
rounded once, so no fen is lost over many small recoveries, and the fund never
gets back more than it paid.
"""

from __future__ import annotations

from decimal import Decimal

from loanflow.core.domain.money import ZERO, round_fen


def fund_payout(outstanding_principal: Decimal, fund_share: Decimal) -> Decimal:
    """What the fund pays on compensation: its share of the outstanding principal, half-up to the fen."""
    return round_fen(outstanding_principal * fund_share)


def recovered_principal(recovered: Decimal, owed: Decimal, principal: Decimal) -> Decimal:
    """The principal among ``recovered`` (cumulative): what was owed at compensation beyond the
    principal (penalty, compound, interest) is settled first."""
    return min(principal, max(ZERO, recovered - (owed - principal)))


def fund_recovered(
    recovered: Decimal, owed: Decimal, principal: Decimal, share: Decimal, payout: Decimal
) -> Decimal:
    """The fund's cumulative part of ``recovered``: its share of the principal recovered, never above
    its ``payout``."""
    return min(payout, round_fen(recovered_principal(recovered, owed, principal) * share))
