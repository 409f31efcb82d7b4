"""The one case engine (``core.workflow``) as a user meets it through both products.

Refusals come typed and in DOMAIN.md's order (404 → 403 → 409), a lost race is a
409 that lists what is left to do and writes nothing, the engine writes each
move's audit event once, and ``allowed_actions`` gives the same answer in a fresh
interpreter whatever was imported first (the guards are declared, not registered).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from loanflow.audit.models import AuditEvent
from loanflow.core import clock, signals
from loanflow.core.errors import Conflict, Forbidden, Invalid, NotFound
from loanflow.core.workflow import CaseEngine
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.fund.services import deposit
from loanflow.loans.models import Loan
from loanflow.loans.services import actions as loan_actions
from loanflow.loans.services import apply as loan_apply
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.workflow import LOANS
from loanflow.policy.services import current_policy
from loanflow.subsidies import services as subsidy_service
from loanflow.subsidies.models import SubsidyCap, SubsidyCase
from loanflow.subsidies.testing.factories import fresh_household, make_case
from loanflow.subsidies.workflow import SUBSIDIES

ROOT = Path(__file__).resolve().parents[2]


# --- making cases through the services ----------------------------------------------------------


def full_marks() -> dict[str, int]:
    return {item["code"]: int(item["max"]) for item in current_policy().loan["scorecard"]}


def applied_loan(users) -> Loan:
    """A loan the clerk applied for, for the first household of the clerk's village that may borrow."""
    deposit(users["admin"], "341503", Decimal("1000000.00"), clock.today(), "财政拨款 测试")
    with_loans = select(Loan.household_id)
    candidates = db.session.scalars(
        select(Household)
        .where(Household.village_code == users["clerk"].region_code, Household.id.not_in(with_loans))
        .order_by(Household.id)
    )
    for h in candidates:
        if h.head is None or not h.head.id_number:
            continue
        data = {
            "household_id": h.id,
            "borrower_id_number": h.head.id_number,
            "amount": Decimal("10000.00"),
            "term_months": 12,
            "purpose": "livestock",
            "purpose_detail": "养牛 5 头",
            "consent": True,
        }
        try:
            return loan_apply.apply_for_loan(users["clerk"], data)
        except Invalid:
            continue
    raise AssertionError("no household of the clerk's village may borrow")


def credited_loan(users) -> Loan:
    loan = applied_loan(users)
    loan_credit.rate_loan(users["officer"], loan.id, full_marks())
    return loan_credit.credit_loan(users["officer"], loan.id, Decimal("10000.00"), 12)


def events(action: str, entity_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.seq)
        )
    )


# --- the order of the refusals and their types -----------------------------------------------------


def test_outside_the_callers_region_is_a_404_before_the_role_is_looked_at(users):
    loan = applied_loan(users)
    with pytest.raises(NotFound):
        loan_actions.begin_action(users["clerk2"], loan.id, "rate")  # another village, and not a clerk's step


def test_a_wrong_role_is_a_403_before_the_state_is_looked_at(users):
    loan = credited_loan(users)
    with pytest.raises(Forbidden) as refused:
        loan_actions.begin_action(users["clerk"], loan.id, "rate")  # neither the role nor the state fits
    assert refused.value.message.code == "role"
    assert refused.value.message.en == "Only a bank loan officer may do this"


def test_four_eyes_is_a_403_even_when_the_state_is_wrong_too(users):
    loan = credited_loan(users)
    loan_credit.disburse_loan(users["officer2"], loan.id)
    with pytest.raises(Forbidden) as four_eyes:  # the officer who credited asks to disburse again
        loan_actions.begin_action(users["officer"], loan.id, "disburse")
    assert four_eyes.value.message.code == "four_eyes"
    with pytest.raises(Conflict) as again:  # another officer: only the state is wrong
        loan_actions.begin_action(users["officer2"], loan.id, "disburse")
    assert again.value.message.code == "state"


def test_a_wrong_state_is_a_409_listing_what_the_caller_may_do(users):
    loan = applied_loan(users)
    with pytest.raises(Conflict) as refused:
        loan_actions.begin_action(users["officer"], loan.id, "disburse")
    assert (refused.value.state, refused.value.allowed_actions) == ("applied", ["rate", "reject"])
    assert refused.value.message.code == "state"


def test_a_case_guard_is_a_409_with_its_own_reason_and_the_other_actions(users):
    loan = credited_loan(users)
    loan_credit.disburse_loan(users["officer2"], loan.id)
    with pytest.raises(Conflict) as refused:  # no repayment yet: nothing to reverse
        loan_actions.begin_action(users["officer2"], loan.id, "reverse-repayment")
    assert refused.value.message.code == "nothing_to_reverse"
    assert refused.value.allowed_actions == ["repay", "recall"]


def test_an_engine_refuses_guards_for_an_action_its_table_does_not_have():
    with pytest.raises(ValueError, match="refund"):
        CaseEngine(**{**_engine_kwargs(LOANS), "guards": {"refund": ()}})


def _engine_kwargs(engine: CaseEngine) -> dict:
    names = [f for f in engine.__dataclass_fields__ if not f.startswith("_")]
    return {name: getattr(engine, name) for name in names}


# --- a lost race ---------------------------------------------------------------------------------


@contextmanager
def moved_by_someone_else(model, case_id: int, state: str) -> Iterator[None]:
    """The caller's page still shows the case as loaded; another user moves it to ``state`` and commits."""
    session = db.session()
    session.expire_on_commit = False
    session.commit()
    table = model.__table__
    with db.engine.begin() as other:
        other.execute(
            update(table).where(table.c.id == case_id).values(state=state, version=table.c.version + 1)
        )
    try:
        yield
    finally:
        session.expire_on_commit = True


@pytest.mark.truncate  # the winner commits through a connection of its own
def test_a_rating_that_lost_the_race_is_a_409_with_what_is_left_and_writes_nothing(users):
    loan = applied_loan(users)
    loan_id, version = loan.id, loan.version
    with moved_by_someone_else(Loan, loan_id, "rated"), pytest.raises(Conflict) as lost:
        loan_credit.rate_loan(users["officer"], loan_id, full_marks())
    assert lost.value.state == "rated"
    assert lost.value.allowed_actions == ["credit", "reject"]
    assert lost.value.message.code == "state_changed"
    db.session.commit()  # whatever the caller commits next keeps nothing of the lost rating
    stored = db.session.get(Loan, loan_id)
    assert (stored.version, stored.rating_score, stored.rated_by_id) == (version + 1, None, None)
    assert events("loan.rate", loan_id) == []


@pytest.mark.truncate  # the winner commits through a connection of its own
def test_a_subsidy_verification_that_lost_the_race_is_rolled_back_with_its_reservation(users):
    h = fresh_household(users["clerk"].region_code, "并发户")
    case = subsidy_service.apply_for_subsidy(
        users["clerk"], {"household_id": h.id, "industry": "pig", "quantity": "5", "consent": True}
    )
    with moved_by_someone_else(SubsidyCase, case.id, "verified"), pytest.raises(Conflict) as lost:
        subsidy_service.verify_case(users["approver"], case.id, {"verified_quantity": "2"})
    assert (lost.value.state, lost.value.allowed_actions) == ("verified", ["publicize", "reject"])
    assert "someone else" in lost.value.message.en
    db.session.commit()  # the engine rolled back: a later commit keeps no reservation and no event
    cap = db.session.get(SubsidyCap, (h.id, str(clock.today().year)))
    assert cap is None or cap.reserved == 0
    assert events("subsidy.verify", case.id) == []


# --- the audit event and the stage deadline, written by the engine for both products ------------


def test_the_engine_writes_one_audit_event_per_loan_move_with_the_stage_deadline(users):
    loan = applied_loan(users)
    loan_credit.rate_loan(users["officer"], loan.id, full_marks())
    (event,) = events("loan.rate", loan.id)
    assert event.before == {"state": "applied"}
    assert event.after["state"] == "rated" and event.after["rating_score"] == 100
    # five working days from Tuesday 10 March 2026
    assert event.after["stage_due_on"] == "2026-03-17" and event.after["stage_days"] == 5
    assert db.session.get(Loan, loan.id).stage_due_on.isoformat() == "2026-03-17"


def test_every_move_tells_whoever_listens_which_case_moved_and_how(users):
    """``signals.case_moved``: sent by the engine after the audit event, for loans and subsidies alike."""
    heard = []

    def listen(case_type, **kw):
        heard.append(
            (case_type, kw["case"].id, kw["action"], kw["actor"].username, kw["before"], kw["after"])
        )

    signals.case_moved.connect(listen)
    try:
        loan = applied_loan(users)
        loan_credit.rate_loan(users["officer"], loan.id, full_marks())
        case = make_case(
            household_without_subsidies(users),
            "verified",
            start=date(2026, 3, 2),
            clerk=users["clerk"],
            verifier=users["approver"],
            approver=users["approver2"],
        )
    finally:
        signals.case_moved.disconnect(listen)
    assert ("loan", loan.id, "rate", "officer", "applied", "rated") in heard
    assert ("subsidy", case.id, "verify", "approver", "applied", "verified") in heard


def household_without_subsidies(users) -> Household:
    return fresh_household(users["clerk"].region_code, "引擎户")  # the demo's villages have cases already


def test_the_engine_writes_one_audit_event_per_subsidy_move(users):
    h = household_without_subsidies(users)
    case = subsidy_service.apply_for_subsidy(
        users["clerk"], {"household_id": h.id, "industry": "pig", "quantity": "5", "consent": True}
    )
    subsidy_service.verify_case(users["approver"], case.id, {"verified_quantity": "4", "note": "实地核验"})
    (event,) = events("subsidy.verify", case.id)
    assert event.before == {"state": "applied"}
    assert event.after["state"] == "verified" and event.reason == "实地核验"
    assert event.after["amount"] == str(db.session.get(SubsidyCase, case.id).amount)
    subsidy_service.close_case(users["clerk"], case.id, "withdraw", "农户放弃")
    (closed,) = events("subsidy.withdraw", case.id)
    assert closed.before["state"] == "verified" and closed.before["reserved"] is True
    assert closed.after == {"state": "withdrawn", "reserved": False}
    stored = db.session.get(SubsidyCase, case.id)
    assert (stored.state, stored.stage_due_on, stored.stage_started_on) == (
        "withdrawn",
        None,
        clock.today(),
    )


def test_the_subsidy_engine_lists_the_same_actions_as_its_check_allows(users):
    h = household_without_subsidies(users)
    case = subsidy_service.apply_for_subsidy(
        users["clerk"], {"household_id": h.id, "industry": "pig", "quantity": "5", "consent": True}
    )
    for name in ("clerk", "approver", "approver2"):
        allowed = SUBSIDIES.allowed_actions(users[name], case)
        for action in allowed:
            SUBSIDIES.check(users[name], case, action)  # nothing listed is refused
    assert SUBSIDIES.allowed_actions(users["approver2"], case) == ["verify", "reject"]


# --- the same answer in a fresh interpreter, whatever was imported first ---------------------------

BUILD = """
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from config import TestConfig
from loanflow import create_app
from loanflow.extensions import db

app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    db.create_all()
    from loanflow import demo
    from loanflow.accounts.models import User
    from loanflow.core import clock, uow
    from loanflow.core.errors import Invalid
    from loanflow.households.models import Household
    from loanflow.loans.fund.services import deposit
    from loanflow.loans.services import apply, credit, extensions
    from loanflow.policy.services import current_policy

    demo.build_demo(8, case_builders=())
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    deposit(users["admin"], "341503", Decimal("1000000.00"), clock.today(), "test")
    marks = {i["code"]: int(i["max"]) for i in current_policy().loan["scorecard"]}
    for h in db.session.scalars(db.select(Household).order_by(Household.id)):
        if h.village_code != users["clerk"].region_code or not (h.head and h.head.id_number):
            continue
        data = dict(household_id=h.id, borrower_id_number=h.head.id_number, amount=Decimal("10000.00"),
                    term_months=12, purpose="livestock", purpose_detail="test", consent=True)
        try:
            loan = apply.apply_for_loan(users["clerk"], data)
        except Invalid:
            continue
        break
    credit.rate_loan(users["officer"], loan.id, marks)
    credit.credit_loan(users["officer"], loan.id, Decimal("10000.00"), 12)
    credit.disburse_loan(users["officer2"], loan.id)
    extensions.request_extension(users["clerk"], loan.id, 6, "test")
    uow.commit()
    print(loan.id)
"""

# Imports nothing but the loan actions, on a bare Flask app: no blueprint, no money module.
ONLY_ACTIONS = """
import json, sys

import loanflow.loans.services.actions as actions
from flask import Flask
from loanflow.extensions import db

app = Flask("probe")
app.config.update(SQLALCHEMY_DATABASE_URI=sys.argv[1], LOANFLOW_TODAY="2026-03-10")
db.init_app(app)
with app.app_context():
    from loanflow.accounts.models import User
    from loanflow.loans.models import Loan

    loan = db.session.get(Loan, int(sys.argv[2]))
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    answers = {name: actions.allowed_actions(users[name], loan) for name in ("clerk", "officer", "officer2")}
    print(json.dumps({"answers": answers, "modules": sorted(m for m in sys.modules if m.startswith("loanflow"))}))
"""

EVERYTHING = """
import json, sys

from config import TestConfig
from loanflow import create_app
from loanflow.extensions import db

app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    import loanflow.loans.services.actions as actions
    from loanflow.accounts.models import User
    from loanflow.loans.models import Loan

    loan = db.session.get(Loan, int(sys.argv[2]))
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    answers = {name: actions.allowed_actions(users[name], loan) for name in ("clerk", "officer", "officer2")}
    print(json.dumps({"answers": answers, "modules": sorted(m for m in sys.modules if m.startswith("loanflow"))}))
"""


def _run(script: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOANFLOW_TODAY": "2026-03-10"}
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_allowed_actions_are_the_same_in_a_fresh_interpreter_whatever_was_imported_first(tmp_path):
    url = f"sqlite:///{tmp_path}/fresh.db"
    loan_id = _run(BUILD, url)  # a disbursed loan, no repayment yet, an extension request pending
    alone = json.loads(_run(ONLY_ACTIONS, url, loan_id))
    everything = json.loads(_run(EVERYTHING, url, loan_id))
    # the premise: the guards' old homes were never imported in the first interpreter
    assert "loanflow.loans.services.money" not in alone["modules"]
    assert "loanflow.loans.services.extensions" not in alone["modules"]
    assert "loanflow.loans.fund.services" not in alone["modules"]
    assert "loanflow.loans.services.money" in everything["modules"]
    expected = {
        "clerk": [],  # the request is pending: the clerk may not ask again
        "officer": ["repay", "extend", "decline-extension", "recall"],  # nothing to reverse yet
        "officer2": ["repay", "extend", "decline-extension", "recall"],
    }
    assert alone["answers"] == expected
    assert everything["answers"] == expected


def test_a_closed_publicity_period_is_a_409_before_the_objections_body_is_read(
    app, client, login, users, monkeypatch
):
    h = fresh_household(users["clerk"].region_code, "公示户")
    case = make_case(
        h,
        "publicized",
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
    )
    end = case.publicity.end_on
    monkeypatch.setitem(app.config, "LOANFLOW_TODAY", (end + timedelta(days=1)).isoformat())
    r = client.post(f"/api/v1/subsidies/{case.id}/object", json={}, headers=login("approver"))
    assert r.status_code == 409, r.json  # the guard of the state table, then the input (422)
    assert end.isoformat() in r.json["detail"]
    assert (r.json["state"], r.json["allowed_actions"]) == ("publicized", ["reject"])
