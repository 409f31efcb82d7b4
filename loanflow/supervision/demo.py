"""Demo supervision (DOMAIN.md "Demo data"): stalled and pressed cases, an answered press, a spot-check
sample with findings, and a flag of each kind, dated relative to the business date.

Runs after the loans' and the subsidies' demo cases (it presses two of them: branch B's stalled
application and its dead end, DK-…-000006) and, like them, only in a county big enough to have cases.
Everything goes through the services, back-dated step by step, except the two flags the services
refuse to produce (that is their point): a status change without a 文号 (as a legacy import leaves
one) and a subsidy approved inside what a later calendar correction made its 公示 period.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.calendar.services import work_calendar
from loanflow.core import clock, uow
from loanflow.core.clock import business_date
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.testing.factories import drive, fresh_households, open_loan
from loanflow.subsidies import services as subsidies
from loanflow.subsidies.testing.factories import fresh_household, make_case
from loanflow.supervision.services import presses, spot_checks

MIN_HOUSEHOLDS_FOR_CASES = 100  # as the loans' demo: small test counties stay free of cases


def _step(day: date, fn, *args, **kwargs) -> Any:
    with business_date(day):
        result = fn(*args, **kwargs)
        uow.commit()
        return result


def _back(today: date, n: int) -> date:
    """The working day ``n`` working days before ``today``."""
    cal, d = work_calendar(), today
    while n > 0:
        d -= timedelta(days=1)
        n -= cal.is_working_day(d)
    return d


def seed_demo(rng: random.Random) -> dict[str, Any]:
    if db.session.scalar(select(func.count(Household.id))) < MIN_HOUSEHOLDS_FOR_CASES:
        return {}
    people = {u.username: u for u in db.session.scalars(select(User))}
    today = clock.today()
    made = {"presses": 0, "flags": []}
    made["presses"] += _press_branch_b(people, today)
    _answered_press(people, today)
    made["presses"] += 1
    _late_disbursement(people, today)
    _busy_clerk(people, today)
    _shared_account(people)
    _undocumented_change(people)
    _early_approval(people, today)
    _sample(people, today)
    uow.commit()
    return {"supervision": {"presses": made["presses"], "spot_checks": 1}}


def _press_branch_b(people: dict, today: date) -> int:
    """Branch B's stalled application (officer3 must rate it) and its dead end, pressed last week."""
    stuck = db.session.scalars(
        select(Loan)
        .where(Loan.branch_id == people["officer3"].branch_id, Loan.state.in_(("applied", "credited")))
        .where(Loan.stage_due_on < today)
        .order_by(Loan.id)
    ).all()
    for loan in stuck:
        _step(
            _back(today, 3),
            presses.press_case,
            people["supervisor"],
            "loan",
            loan.id,
            "超过办结时限，请说明原因并尽快办理",
        )
    return len(stuck)


def _answered_press(people: dict, today: date) -> None:
    """An application of township A left waiting, pressed, then rated by the officer (the press answered)."""
    h = fresh_households(people["clerk"].region_code)[0]
    loan = _step(_back(today, 12), open_loan, people["clerk"], h, "30000.00", 12, "planting")
    _step(
        _back(today, 4), presses.press_case, people["supervisor"], "loan", loan.id, "请三个工作日内完成评级"
    )
    _step(_back(today, 2), lambda: drive(loan, "rated", officer=people["officer"]))


def _late_disbursement(people: dict, today: date) -> None:
    """Credited five weeks ago, disbursed two days ago: long past the seven working days."""
    h = fresh_households(people["clerk"].region_code)[0]
    loan = _step(_back(today, 27), open_loan, people["clerk"], h, "20000.00", 12, "processing")
    _step(_back(today, 26), lambda: drive(loan, "credited", officer=people["officer"]))
    paid = _back(today, 2)
    _step(paid, loan_credit.disburse_loan, people["officer2"], loan.id, paid)


def _busy_clerk(people: dict, today: date) -> None:
    """clerk2 opens more subsidy applications in one day than the policy's flag allows."""
    clerk = people["clerk2"]
    households = db.session.scalars(
        select(Household).where(Household.village_code == clerk.region_code).order_by(Household.id)
    ).all()
    day = _back(today, 1)
    industries = ("pig", "tea", "kiwi")
    for n in range(21):
        data = {
            "household_id": households[n % len(households)].id,
            "industry": industries[n // len(households) % len(industries)],
            "quantity": "2",
            "consent": True,
        }
        _step(day, subsidies.apply_for_subsidy, clerk, data)


def _shared_account(people: dict) -> None:
    """A household registered with the bank account of a neighbour."""
    village = people["clerk"].region_code
    neighbour = db.session.scalars(
        select(Household).where(Household.village_code == village).order_by(Household.id)
    ).first()
    fresh_household(village, "孙德明", neighbour.bank_account)


def _undocumented_change(people: dict) -> None:
    """A status change a legacy import wrote without its document reference (the form refuses one)."""
    h = db.session.scalars(
        select(Household)
        .where(Household.village_code == people["clerk2"].region_code, Household.status == "not_out")
        .order_by(Household.id)
    ).first()
    if h is None:
        return
    h.status, h.status_document = "out", ""
    audit.record(
        None,
        "household.update",
        "household",
        h.id,
        chain=h.county_code,
        before={"status": "not_out"},
        after={"status": "out"},
        reason="demo: 历史数据导入，缺依据文号",
    )
    uow.commit()


def _early_approval(people: dict, today: date) -> None:
    """Approved when its 公示 had ended; a later correction of the calendar moved the end past the approval."""
    h = fresh_household(people["clerk"].region_code, "钱有福", "6217990000000000006")
    case = make_case(
        h,
        "approved",
        start=_back(today, 20),
        clerk=people["clerk"],
        verifier=people["approver"],
        approver=people["approver2"],
        industry="poultry",
        quantity="3",
    )
    case.publicity.approval_opens_on = case.approved_on + timedelta(days=2)
    uow.commit()


def _sample(people: dict, today: date) -> None:
    """A loan sample of the county for the last 60 days (seed 5321) with findings: fine, an open problem,
    and a problem closed."""
    supervisor, drawn_on = people["supervisor"], _back(today, 2)
    data = {
        "region": supervisor.region_code,
        "product": "all",
        "opened_from": drawn_on - timedelta(days=60),
        "opened_to": drawn_on,
        "size": 6,
        "seed": "5321",
    }
    sample = _step(drawn_on, spot_checks.draw_spot_check, supervisor, data)
    items = [(i.case_type, i.case_id) for i in sample.items]
    findings = [("fine", ""), ("problem", "入户核实：借款用途与申请不符"), ("problem", "档案缺农户签字")]
    for (case_type, case_id), (result, note) in zip(items, findings, strict=False):
        row = {"case_type": case_type, "case_id": case_id, "result": result, "note": note}
        _step(_back(today, 1), spot_checks.record_finding, supervisor, sample.id, row)
    if len(items) >= 3:
        closing = {"case_type": items[2][0], "case_id": items[2][1], "note": "已补签并归档"}
        _step(today, spot_checks.close_problem, supervisor, sample.id, closing)
