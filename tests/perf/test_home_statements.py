"""Each role's home page (the work queue) costs a few statements, not one per case (issue 14)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from loanflow.accounts.models import User
from loanflow.core import clock
from loanflow.extensions import db
from loanflow.subsidies import queue as subsidy_queue
from loanflow.subsidies.models import Publicity, SubsidyCase
from loanflow.subsidies.testing.factories import applied_cases
from loanflow.testing.querycount import request_sql, statements


def home_statements(client) -> list[str]:
    with statements() as seen:
        r = client.get("/")
    assert r.status_code == 200
    return request_sql(seen)


# the demo county's seeded cases; every statement of the page, its queue sections included. The clerk's
# was 13 (the presses on their cases read the open presses twice), the township approver's 10 (the
# subsidy states and the loan claims only a county approver acts on were read, then dropped).
PINNED = {"clerk": 12, "officer": 7, "approver": 8, "approver2": 10}


@pytest.mark.parametrize("username", sorted(PINNED))
def test_a_home_page_costs_the_statements_it_did_when_they_were_counted(page_as, username):
    client = page_as(username)
    client.get("/")
    seen = home_statements(client)
    assert len(seen) == PINNED[username], "\n".join(s[:150] for s in seen)


def test_the_county_approvers_queue_costs_the_same_with_forty_more_cases_waiting(page_as):
    """Forty cases in as many villages, in every state the approver acts on: no statement per case."""
    client = page_as("approver2")
    client.get("/")
    before = home_statements(client)
    applied_cases(40)
    new = db.session.scalars(db.select(SubsidyCase.id).order_by(SubsidyCase.id.desc()).limit(40)).all()
    for i, state in enumerate(("verified", "publicized", "approved")):
        db.session.execute(update(SubsidyCase).where(SubsidyCase.id.in_(new[i::4])).values(state=state))
    admin = db.session.scalar(db.select(User).where(User.username == "admin"))
    for case in db.session.scalars(db.select(SubsidyCase).where(SubsidyCase.id.in_(new[1::4]))):
        day = clock.today()  # each publicized case on its own village's list: the approve guard reads it
        case.publicity = Publicity(
            village_code=case.village_code,
            posted_on=day,
            start_on=day,
            end_on=day,
            approval_opens_on=day,
            policy_days=5,
            policy_version=1,
            posted_by_id=admin.id,
            created_at=clock.now(),
        )
    db.session.commit()
    whole = client.get(f"/queue/{subsidy_queue.POSITION}").get_data(as_text=True)
    numbers = [db.session.get(SubsidyCase, i).case_number for i in new[:2]]
    assert any(n in whole for n in numbers)  # the new cases are in the queue (past the home's first rows)
    assert len(home_statements(client)) == len(before)
