"""Properties of the plan in force through the services: after every repayment, prepayment and reversal
the stored revision of the plan and the ledger's replay agree on every line, and the principal is whole."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loanflow.core import uow
from loanflow.core.errors import Conflict, Invalid
from loanflow.loans.services.money import repay_loan, reverse_repayment
from loanflow.loans.services.plan import plan_of
from loanflow.loans.services.position import plan_in_force, position_of, repayments_of
from loanflow.loans.testing.factories import disbursed_loan, fill_fund, free_households, on_day, reload

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases

D = Decimal
FEW = settings(
    max_examples=10,  # one household of the bare county each
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
steps = st.lists(
    st.tuples(
        st.sampled_from(["due", "partial", "prepay", "reverse"]),
        st.integers(0, 100),
        st.floats(min_value=0.05, max_value=1, allow_nan=False),
    ),
    min_size=1,
    max_size=5,
)


def figures(lines) -> list[tuple]:
    return [
        (x.seq, x.due_date, x.principal, x.interest, x.subsidy, x.household_interest, x.rate) for x in lines
    ]


def assert_plan_agrees(loan, amount: Decimal) -> None:
    pos = position_of(loan)
    assert figures(plan_in_force(loan)) == figures(pos.lines)  # stored revision == replay
    assert figures(plan_of(loan).lines) == figures(pos.lines)  # what the API and the page show
    assert sum(x.principal for x in pos.lines) + pos.prepaid_principal == amount
    paid = sum(x.principal_paid for x in pos.lines) + pos.prepaid_principal
    assert paid + pos.outstanding_principal == amount


@pytest.fixture
def funded(users):
    fill_fund(users, "10000000.00")
    return users


@FEW
@given(term=st.sampled_from([3, 12, 24]), amount=st.sampled_from(["10000.00", "12345.67"]), history=steps)
def test_the_stored_plan_and_the_ledger_agree_on_every_line_after_every_event(funded, term, amount, history):
    households = free_households()
    household = households[0] if households else pytest.skip("no free household left")
    loan = disbursed_loan(funded, amount, term, date(2026, 1, 15), household=household)
    on = loan.disbursed_on
    for kind, days, share in history:
        on = on + timedelta(days=days)
        with on_day(on):
            loan = reload(loan)
            pos = position_of(loan)
            try:
                if kind == "reverse":
                    live = [r for r in repayments_of(loan.id, live_only=True)]
                    if live:
                        who = (
                            funded["officer"]
                            if live[0].recorded_by_id != funded["officer"].id
                            else funded["officer2"]
                        )
                        reverse_repayment(who, loan.id, live[0].id, "录入错误")
                elif pos.payoff > 0:
                    base = {
                        "due": pos.due_now or pos.payoff,
                        "partial": pos.payoff,
                        "prepay": pos.outstanding_principal,
                    }
                    pay = min(pos.payoff, max(D("0.01"), (base[kind] * D(str(share))).quantize(D("0.01"))))
                    repay_loan(funded["officer"], loan.id, pay, on, prepay=kind == "prepay")
                uow.commit()
            except (Conflict, Invalid):
                uow.rollback()  # refused as a user would see it (nothing owed, nothing to reverse …)
            loan = reload(loan)
            assert_plan_agrees(loan, D(amount))
    with on_day(on):
        payoff = position_of(reload(loan)).payoff
        if payoff > 0:
            repay_loan(funded["officer"], loan.id, payoff, on)
            uow.commit()
        loan = reload(loan)
        assert_plan_agrees(loan, D(amount))
        assert loan.state == "repaid"
