"""A step that lost the race to another user is refused with the state the case is in now and what is left to do."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from loanflow.core.errors import Conflict
from loanflow.extensions import db
from loanflow.subsidies import services as service
from loanflow.subsidies.models import SubsidyCap, SubsidyCase
from loanflow.subsidies.testing.factories import business_date, fresh_household, make_case

VILLAGE = "341503001001"


@pytest.mark.truncate  # the winner commits through a connection of its own
def test_a_verification_that_lost_the_race_names_the_new_state_and_the_next_steps(users):
    h = fresh_household(VILLAGE, "并发户")
    applied = make_case(
        h,
        "applied",
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
    )
    case = db.session.get(SubsidyCase, applied.id)
    assert case.state == "applied"  # what the approver's page showed
    session = db.session()
    session.expire_on_commit = False  # the loaded case stays as the page showed it
    session.commit()
    # meanwhile another approver verified it and committed: the row changed under the loaded case
    cases = SubsidyCase.__table__
    with db.engine.begin() as other:
        other.execute(
            update(cases).where(cases.c.id == case.id).values(state="verified", version=cases.c.version + 1)
        )
    try:
        with business_date(date(2026, 3, 3)), pytest.raises(Conflict) as lost:
            service.verify_case(users["approver"], case.id, {"verified_quantity": "2"})
    finally:
        session.expire_on_commit = True
    assert lost.value.state == "verified"
    assert lost.value.allowed_actions == ["publicize", "reject"]
    assert "someone else" in lost.value.message.en
    db.session.rollback()
    assert (
        db.session.get(SubsidyCap, (h.id, "2026")) is None
        or db.session.get(SubsidyCap, (h.id, "2026")).reserved == 0
    )  # the losing verification reserved nothing
