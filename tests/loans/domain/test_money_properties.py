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


# --- issue 9: early, late, partial, prepaid and reversed repayments -----------------------------------

from loanflow.loans.domain.compensation import fund_payout, fund_recovered  # noqa: E402

kinds = st.sampled_from(["early", "on_time", "late", "partial", "prepay", "reverse"])


@st.composite
def histories(draw):
    """A loan and the repayments of a random household: instalments early, on time or late,
    partial payments, prepayments, and now and then one repayment reversed (left out)."""
    loan = draw(loans())
    steps = draw(st.lists(st.tuples(kinds, st.integers(0, 40), fractions), min_size=1, max_size=8))
    return loan, steps


def _replay(loan, steps):
    """Apply ``steps`` one by one as the service would (each dated on or after the previous event)."""
    events: list = []
    on = loan.disbursed_on
    for kind, days, share in steps:
        if kind == "reverse":
            paid = [e for e in events if isinstance(e, Repayment)]
            if paid:
                events.remove(paid[round(share * (len(paid) - 1))])
            continue
        pos = position(loan, events, on)
        upcoming = next((x for x in pos.lines if x.due_date >= on and not x.unpaid.total == 0), None)
        if kind in ("early", "on_time", "late") and upcoming is not None:
            shift = {"early": -days, "on_time": 0, "late": days}[kind]
            on = max(on, upcoming.due_date + timedelta(days=shift))
        else:
            on = on + timedelta(days=days)
        pos = position(loan, events, on)
        if pos.payoff <= 0:
            break
        if kind in ("early", "on_time", "late") and upcoming is not None:
            line = next(x for x in pos.lines if x.seq == upcoming.seq)
            amount = min(pos.payoff, max(D("0.01"), line.unpaid.total + pos.due_now - pos.advance))
        elif kind == "prepay":
            amount = max(D("0.01"), (pos.outstanding_principal * D(str(share))).quantize(D("0.01")))
        else:
            amount = max(D("0.01"), (pos.payoff * D(str(share))).quantize(D("0.01")))
        amount = min(amount, pos.payoff)
        events.append(Repayment(on, amount, len(events), prepay=kind == "prepay"))
    return events, on


@FAST
@given(histories(), fractions)
def test_whatever_the_household_pays_the_principal_paid_adds_up_to_the_principal(history, final):
    loan, steps = history
    events, on = _replay(loan, steps)
    last = max(on, day_in_life(loan, final))
    pos = position(loan, events, last)
    paid = sum(x.principal_paid for x in pos.lines)
    assert paid + pos.prepaid_principal + pos.outstanding_principal == loan.amount
    assert sum(x.principal for x in pos.lines) + pos.prepaid_principal == loan.amount
    assert pos.advance >= 0 and (pos.advance == 0 or pos.due_now == 0)  # an advance never sits beside a debt
    closed = position(loan, [*events, Repayment(last, pos.payoff, "last")] if pos.payoff else events, last)
    assert closed.is_repaid and closed.advance == 0
    assert sum(x.principal_paid for x in closed.lines) + closed.prepaid_principal == loan.amount


@FAST
@given(loans(), st.lists(st.integers(0, 30), min_size=1, max_size=40), st.lists(fractions, max_size=3))
def test_a_household_that_pays_each_line_by_its_due_date_never_owes_penalty(loan, early, prepays):
    """Each instalment as the plan in force shows it, brought 0–30 days early (or on the due date),
    with prepayments now and then: no penalty on any line, never overdue."""
    events: list = []
    on = loan.disbursed_on
    for k in range(200):
        pos = position(loan, events, on)
        line, short = _next_uncovered(pos, on)
        if line is None or pos.payoff == 0:
            break
        on = max(on, line.due_date - timedelta(days=early[k % len(early)]))
        if prepays and k % 3 == 1:
            pos = position(loan, events, on)
            amount = (pos.outstanding_principal * D(str(prepays[k % len(prepays)])) / 4).quantize(D("0.01"))
            if 0 < amount < pos.payoff:
                events.append(Repayment(on, amount, f"p{k}", prepay=True))
        pos = position(loan, events, on)
        line, short = _next_uncovered(pos, on)
        if line is None:
            break
        events.append(Repayment(on, min(pos.payoff, short), k))
    after = position(loan, events, max(on, loan.maturity) + timedelta(days=400))
    assert all(x.penalty == 0 and x.compound == 0 for x in after.lines)
    assert not after.overdue and after.is_repaid


def _next_uncovered(pos, on):
    """The next line the advance does not cover, and what it still lacks."""
    covered = pos.advance
    for line in pos.lines:
        owed = line.unpaid.total
        if line.due_date < on or owed == 0:
            continue
        if covered >= owed:
            covered -= owed
            continue
        return line, owed - covered
    return None, D("0.00")


@FAST
@given(
    amounts,
    st.sampled_from([D("0.80"), D("0.70"), D("0.333"), D("1.00")]),
    st.integers(0, 50_000).map(lambda fen: D(fen) / 100),
    st.lists(fractions, min_size=1, max_size=6),
)
def test_the_funds_recoveries_never_exceed_its_payout_and_a_full_recovery_returns_it(
    principal, share, extra, parts
):
    owed = principal + extra  # penalty, compound and interest owed at compensation
    payout = fund_payout(principal, share)
    recovered, back = D("0.00"), D("0.00")
    for part in parts:
        amount = ((owed - recovered) * D(str(part))).quantize(D("0.01"))
        recovered += amount
        now = fund_recovered(recovered, owed, principal, share, payout)
        assert now >= back  # each recovery adds, never takes back
        back = now
        assert back <= payout
    assert fund_recovered(owed, owed, principal, share, payout) == payout
    assert fund_recovered(extra, owed, principal, share, payout) == 0  # the penalty and interest: the bank's
