"""Press (督办): seen at the top of the queue of exactly those who must act, answered by their move."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app
from sqlalchemy import select

from loanflow.audit import services as audit
from loanflow.core import uow
from loanflow.core.clock import business_date
from loanflow.core.errors import Conflict, Forbidden, Invalid, NotFound
from loanflow.extensions import db
from loanflow.loans.services import actions
from loanflow.loans.services import credit as loan_credit
from loanflow.loans.testing.factories import deposit, drive, fresh_households, open_loan
from loanflow.supervision.models import Press
from loanflow.supervision.services import presses
from loanflow.web.queue import work_queue

pytestmark = pytest.mark.bare_demo


@pytest.fixture
def county(demo, users):
    deposit("341503", "1000000.00", date(2025, 12, 1))
    return users


@pytest.fixture
def rated_late(county):
    """A loan of township A rated on 2 February and waiting for its credit since."""
    with business_date(date(2026, 2, 2)):
        loan = open_loan(county["clerk"], fresh_households(county["clerk"].region_code)[0])
        return drive(loan, "rated", officer=county["officer"])


def queue(user) -> list[tuple[str, list[dict]]]:
    """The user's work queue as the home page builds it (in a request: the sections speak its language)."""
    with current_app.test_request_context("/"):
        return [(s.title, s.rows) for s in work_queue(user)]


def test_a_press_is_first_in_the_queue_of_the_officers_who_may_act_and_the_move_answers_it(
    county, rated_late
):
    press = presses.press_case(county["supervisor"], "loan", rated_late.id, "请三日内完成授信")
    uow.commit()
    for who in ("officer", "officer2"):
        sections = queue(county[who])
        title, rows = sections[0]
        assert "督办" in title or "Pressed" in title
        assert [(r["case"], r["note"]) for r in rows] == [(rated_late.case_number, "请三日内完成授信")]
    for nobody in ("officer3", "approver", "supervisor"):
        assert all(r.get("note") is None for _t, rows in queue(county[nobody]) for r in rows)
    # the clerk who filed the case sees the press on their home (issue 13), in its own section, not to act on
    clerk = {title: rows for title, rows in queue(county["clerk"])}
    pressed = [
        r["note"]
        for t, rows in clerk.items()
        if t in ("我经办案件的督办", "Presses on my cases")
        for r in rows
    ]
    assert pressed == ["请三日内完成授信"]
    assert all(
        r.get("note") is None
        for t, rows in clerk.items()
        if t not in ("我经办案件的督办", "Presses on my cases")
        for r in rows
    )

    loan_credit.credit_loan(county["officer2"], rated_late.id, rated_late.requested_amount, 12)
    uow.commit()
    db.session.expire_all()
    answered = db.session.get(Press, press.id)
    assert answered.answered_by_id == county["officer2"].id
    assert answered.answer_action == "credit" and answered.answered_at is not None
    assert all(r.get("note") is None for _t, rows in queue(county["officer"]) for r in rows)
    actions = [e.action for e in audit.timeline("loan", rated_late.id)]
    assert actions[-3:] == ["supervision.press", "loan.credit", "supervision.press_answered"]
    assert audit.verify().ok


def test_a_press_waits_while_the_only_possible_actor_is_refused_by_four_eyes(county):
    with business_date(date(2026, 2, 2)):
        loan = drive(
            open_loan(county["clerk"], fresh_households(county["clerk"].region_code)[0]),
            "credited",
            officer=county["officer"],
        )
    presses.press_case(county["supervisor"], "loan", loan.id, "尽快放款")
    uow.commit()
    officer_rows = [r for _t, rows in queue(county["officer"]) for r in rows if r.get("note")]
    officer2_rows = [r for _t, rows in queue(county["officer2"]) for r in rows if r.get("note")]
    assert officer_rows == [] and [r["case"] for r in officer2_rows] == [loan.case_number]


def test_pressing_again_adds_a_press_and_one_move_answers_both(county, rated_late):
    presses.press_case(county["supervisor"], "loan", rated_late.id, "第一次督办")
    presses.press_case(county["supervisor"], "loan", rated_late.id, "第二次督办")
    uow.commit()
    loan_credit.credit_loan(county["officer"], rated_late.id, rated_late.requested_amount, 12)
    uow.commit()
    rows = db.session.scalars(select(Press).where(Press.case_id == rated_late.id)).all()
    assert len(rows) == 2 and all(p.answer_action == "credit" for p in rows)


def test_a_press_is_refused_in_the_order_404_403_409_422(county, township_supervisor, rated_late):
    with pytest.raises(NotFound):  # township B's supervisor does not see township A
        presses.press_case(township_supervisor, "loan", rated_late.id, "x")
    with pytest.raises(Forbidden):
        presses.press_case(county["officer"], "loan", rated_late.id, "x")
    with pytest.raises(Invalid) as e:
        presses.press_case(county["supervisor"], "loan", rated_late.id, "   ")
    assert "note" in e.value.errors
    with business_date(date(2026, 2, 2)):
        done = drive(
            open_loan(county["clerk"], fresh_households(county["clerk"].region_code)[1]),
            "disbursed",
            officer=county["officer"],
            disburser=county["officer2"],
        )
    with pytest.raises(Conflict):
        presses.press_case(county["supervisor"], "loan", done.id, "")
    assert db.session.scalars(select(Press)).all() == []


def test_a_rejection_answers_a_press_too(county, rated_late):
    presses.press_case(county["supervisor"], "loan", rated_late.id, "请处理")
    uow.commit()
    actions.reject_loan(county["officer"], rated_late.id, "不符合条件")
    uow.commit()
    press = db.session.scalar(select(Press))
    assert press.answer_action == "reject" and press.answered_by_id == county["officer"].id
