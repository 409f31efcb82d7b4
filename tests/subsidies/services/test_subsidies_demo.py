"""The demo's subsidy cases: every state, dated before the business date, some stalled, all audited."""

from sqlalchemy import select

from loanflow.audit import services as audit
from loanflow.core import clock
from loanflow.extensions import db
from loanflow.subsidies.models import SubsidyCap, SubsidyCase, SubsidyObjection


def test_the_demo_has_subsidy_cases_in_every_state_some_of_them_stalled(demo):
    cases = db.session.scalars(select(SubsidyCase)).all()
    assert {c.state for c in cases} == {
        "applied",
        "verified",
        "publicized",
        "approved",
        "disbursed",
        "rejected",
        "withdrawn",
    }
    today = clock.today()
    assert all(c.applied_on < today for c in cases)
    stalled = {c.state for c in cases if c.stage_due_on is not None and c.stage_due_on < today}
    assert {"applied", "verified", "publicized", "approved"} <= stalled
    on_time = [c for c in cases if c.stage_due_on is not None and c.stage_due_on >= today]
    assert on_time
    assert db.session.scalar(select(SubsidyObjection.id)) is not None
    assert audit.verify().ok


def test_the_demo_reservations_add_up_to_the_open_and_paid_cases(demo):
    cases = db.session.scalars(select(SubsidyCase).where(SubsidyCase.reserved.is_(True))).all()
    reserved = sum(c.amount for c in cases)
    assert reserved > 0
    assert sum(row.reserved for row in db.session.scalars(select(SubsidyCap))) == reserved


def test_the_command_line_firms_dates_once_a_year_is_entered(app, demo, tmp_path):
    from datetime import date

    from loanflow.accounts.models import User
    from loanflow.subsidies.services import apply_for_subsidy
    from loanflow.subsidies.testing.factories import business_date, fresh_household

    clerk = db.session.scalar(select(User).where(User.username == "clerk"))
    h = fresh_household("341503001001", "跨年户")
    with business_date(date(2026, 12, 28)):
        case = apply_for_subsidy(
            clerk, {"household_id": h.id, "industry": "pig", "quantity": "2", "consent": True}
        )
    assert case.stage_due_provisional
    year = tmp_path / "2027.json"
    year.write_text('{"year": 2027, "holidays": ["2027-01-01"], "workdays": []}')
    runner = app.test_cli_runner()
    result = runner.invoke(args=["loanflow", "enter-calendar-year", str(year)])
    assert result.exit_code == 0 and "provisional dates recomputed" in result.output
    db.session.expire_all()
    firm = db.session.get(SubsidyCase, case.id)
    assert (firm.stage_due_on, firm.stage_due_provisional) == (date(2027, 1, 5), False)
