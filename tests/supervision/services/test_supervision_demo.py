"""The demo's supervision: stalled and pressed cases, an answered press, a sample with findings, and a
flag of each kind — among them branch B's dead end (DK-2026-000006 in a fresh demo database: the number
is the loan's id, and PostgreSQL does not give back ids used by earlier tests' rolled-back rows)."""

from __future__ import annotations

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.supervision.models import Press, SpotCheck
from loanflow.supervision.services.flags import KINDS, flags
from loanflow.supervision.services.spot_checks import progress_of
from loanflow.supervision.services.summary import summary


def test_the_demo_has_pressed_cases_a_sample_with_findings_and_a_flag_of_each_kind(app):
    from loanflow import demo

    demo.build_demo(100)
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    found = flags(supervisor)
    assert {f.kind for f in found} == set(KINDS)
    officer3 = db.session.scalar(select(User).where(User.username == "officer3"))
    branch_b = db.session.scalars(
        select(Loan).where(Loan.credited_by_id == officer3.id, Loan.state == "credited")
    ).all()
    assert len(branch_b) == 1  # credited by the only officer of branch B: nobody may disburse it
    dead_end = branch_b[0]
    dead = next(f for f in found if f.kind == "dead_end")
    assert [c.case_number for c in dead.cases] == [dead_end.case_number]
    pressed = db.session.scalars(select(Press)).all()
    assert any(p.answered_at is not None and p.answer_action == "rate" for p in pressed)
    assert any(p.answered_at is None and p.case_id == dead_end.id and p.case_type == "loan" for p in pressed)
    sample = db.session.scalar(select(SpotCheck))
    progress = progress_of(sample)
    assert (progress.checked, progress.problems, progress.problems_open) == (3, 2, 1)
    home = summary(supervisor)
    assert home.stalled > 0 and home.unanswered_presses == 2 and home.open_problems == 1
    assert [r.case_number for r in home.dead_ends] == [dead_end.case_number]
    assert audit.verify().ok
