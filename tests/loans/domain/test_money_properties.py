"""Properties of the money engine that must hold for every loan, not only the worked examples."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loanflow.loans.domain.ledger import Extension, LoanTerms, Recall, Repayment, extended_maturity, position
from loanflow.loans.domain.schedule import build_schedule

D = Decimal
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

amounts = st.integers(min_value=1, max_value=5_000_000).map(lambda fen: D(fen) / 100)
terms_months = st.integers(min_value=1, max_value=36)
methods = st.sampled_from(["balloon", "equal_principal"])
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
rates = st.sampled_from([D("0.0300"), D("0.0350"), D("0.0385"), D("0.0435")])
ratios = st.sampled_from([D("1.00"), D("0.80"), D("0.50"), D("0.333"), D("0")])


@st.composite
def loans(draw):
    rate = draw(rates)
    return LoanTerms(
        amount=draw(amounts),
        annual_rate=rate,
        disbursed_on=draw(days),
        term_months=draw(terms_months),
        method=draw(methods),
        subsidy_ratio=draw(ratios),
        penalty_rate=rate * D("1.5"),
        compound_rate=rate * D("1.5"),
    )


def day_in_life(loan, fraction):
    """A date from disbursement to 200 days after maturity."""
    span = (loan.maturity - loan.disbursed_on).days + 200
    return loan.disbursed_on + timedelta(days=round(span * fraction))


fractions = st.floats(min_value=0, max_value=1, allow_nan=False)


@FAST
@given(loans())
def test_the_principal_lines_of_a_schedule_add_up_to_the_amount(loan):
    lines = build_schedule(
        loan.amount, loan.annual_rate, loan.disbursed_on, loan.term_months, loan.method, loan.subsidy_ratio
    )
    assert sum(line.principal for line in lines) == loan.amount
    assert lines[-1].due_date == loan.maturity
    assert all(line.principal >= 0 and line.interest >= 0 for line in lines)
    assert all(line.principal == line.principal.quantize(D("0.01")) for line in lines)


@FAST
@given(loans())
def test_every_subsidy_lies_between_zero_and_its_interest(loan):
    lines = build_schedule(
        loan.amount, loan.annual_rate, loan.disbursed_on, loan.term_months, loan.method, loan.subsidy_ratio
    )
    for line in lines:
        assert 0 <= line.subsidy <= line.interest
        assert line.subsidy + line.household_interest == line.interest


@FAST
@given(loans(), fractions)
def test_paying_the_payoff_on_any_date_closes_the_loan(loan, fraction):
    on = day_in_life(loan, fraction)
    payoff = position(loan, [], on).payoff
    closed = position(loan, [Repayment(on, payoff)], on)
    assert closed.is_repaid and closed.due_now == 0 and closed.outstanding_principal == 0
    assert not position(loan, [Repayment(on, payoff)], on + timedelta(days=400)).overdue


@FAST
@given(loans(), st.lists(st.tuples(fractions, fractions), min_size=1, max_size=4), fractions, st.booleans())
def test_partial_repayments_then_the_payoff_still_close_the_loan(loan, partials, final, recall):
    events: list = []
    whens = sorted(day_in_life(loan, when) for when, _ in partials)
    if recall:
        events.append(Recall(whens[0]))
    for on, (_, share) in zip(whens, partials, strict=True):
        payoff = position(loan, events, on).payoff
        amount = (payoff * D(str(share))).quantize(D("0.01"))
        if amount > 0:
            events.append(Repayment(on, amount))
    last = max(whens[-1], day_in_life(loan, final))
    pos = position(loan, events, last)
    assert pos.outstanding_principal + sum(x.principal_paid for x in pos.lines) + pos.prepaid_principal == (
        loan.amount
    )
    assert sum(x.principal for x in pos.lines) + pos.prepaid_principal == loan.amount
    closed = position(loan, [*events, Repayment(last, pos.payoff)] if pos.payoff else events, last)
    assert closed.is_repaid and closed.due_now == 0
    paid = sum(a.amount for a in closed.allocations)
    charged = sum(x.principal + x.household_interest + x.penalty + x.compound for x in closed.lines)
    assert paid == charged + closed.prepaid_principal


@FAST
@given(loans(), fractions, st.integers(min_value=1, max_value=12), st.booleans(), fractions, fractions)
def test_an_extended_loan_still_closes_on_its_payoff(loan, when, months, subsidised, share, final):
    before_maturity = (loan.maturity - loan.disbursed_on).days - 1
    extended_on = loan.disbursed_on + timedelta(days=round(before_maturity * when))
    new_rate = loan.annual_rate + D("0.0050")
    events: list = [
        Extension(
            extended_on, extended_maturity(loan.disbursed_on, loan.term_months, months), new_rate, subsidised
        )
    ]
    partial_on = extended_on + timedelta(days=round(200 * share))
    amount = (position(loan, events, partial_on).payoff * D(str(share))).quantize(D("0.01"))
    if amount > 0:
        events.append(Repayment(partial_on, amount))
    last = partial_on + timedelta(days=round(600 * final))
    pos = position(loan, events, last)
    assert all(0 <= x.subsidy <= x.interest for x in pos.lines)
    assert sum(x.principal for x in pos.lines) + pos.prepaid_principal == loan.amount
    closed = position(loan, [*events, Repayment(last, pos.payoff)] if pos.payoff else events, last)
    assert closed.is_repaid and closed.due_now == 0
