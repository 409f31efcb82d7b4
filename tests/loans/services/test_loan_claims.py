"""The quarterly subsidy claim list (贴息清单) replays only the loans alive in the quarter."""

from __future__ import annotations

from datetime import date

import pytest

from loanflow.loans import claims
from loanflow.loans.services.money import repay_loan
from loanflow.loans.testing.factories import D, disbursed_loan, fill_fund, free_households, on_day

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


def test_a_loan_paid_off_before_the_quarter_is_not_replayed_and_the_list_is_the_same(users, monkeypatch):
    fill_fund(users)
    first, second, third = free_households()[:3]
    paid = disbursed_loan(users, household=first, on=date(2026, 1, 15))
    live = disbursed_loan(users, household=second, on=date(2026, 1, 15))
    with on_day("2026-03-01"):
        repay_loan(users["officer"], paid.id, D("10000.00"), date(2026, 3, 1))
    with on_day("2026-06-01"):
        later = disbursed_loan(users, household=third, on=date(2026, 6, 1))
    replayed: list[int] = []
    real = claims.position_of

    def spy(loan, *args, **kwargs):
        replayed.append(loan.id)
        return real(loan, *args, **kwargs)

    monkeypatch.setattr(claims, "position_of", spy)
    with on_day("2026-07-15"):
        q1 = claims.claim_list(None, "2026Q1", users["officer"].branch_id)
        assert sorted({r.loan_id for r in q1.rows}) == sorted([paid.id, live.id])
        replayed.clear()
        q2 = claims.claim_list(None, "2026Q2", users["officer"].branch_id)
    assert sorted(replayed) == sorted([live.id, later.id])  # the loan closed in March is left alone
    assert [(r.loan_id, r.settlement_date) for r in q2.rows] == [
        (live.id, date(2026, 6, 20)),
        (later.id, date(2026, 6, 20)),
    ]
    # 10,000 at 3.00 % from 2026-03-20 to 2026-06-20 (92 days) = 76.67; from 2026-06-01, 19 days = 15.83
    assert [r.subsidy for r in q2.rows] == [D("76.67"), D("15.83")]
