"""Demo subsidy cases (产业奖补) in every state, dated relative to the business date, some stalled.

Cases are made through the services with the business date set back to each
step's day, so their dates, deadlines, 公示 periods and audit trail are what a
real run would have produced. The tests have factories of their own
(``loanflow/subsidies/testing/factories.py``).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core import clock
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.subsidies import publicity as publicity_service
from loanflow.subsidies.testing.factories import make_case  # the same steps the tests take

STEPS = ("applied", "verified", "publicized", "approved", "disbursed")


def working_days_back(cal, today: date, n: int) -> date:
    """The working day ``n`` working days before ``today``."""
    d = today
    while n > 0:
        d -= timedelta(days=1)
        n -= cal.is_working_day(d)
    return d


def seed_demo(rng: random.Random) -> dict:
    """Subsidy cases for the demo clerk's village: every state, some on time, some stalled, one objected."""
    people = {u.username: u for u in db.session.scalars(select(User))}
    clerk, approver, county = people["clerk"], people["approver"], people["approver2"]
    village = clerk.region_code
    households = list(
        db.session.scalars(select(Household).where(Household.village_code == village).order_by(Household.id))
    )
    today = clock.today()
    cal = work_calendar()

    def back(n: int) -> date:
        return working_days_back(cal, today, n)

    industries = ("pig", "tea", "kiwi", "poultry", "konjac", "silkworm")
    plan = [  # state, start (working days ago), working days between steps
        ("applied", 1, 1),  # on time
        ("applied", 12, 1),  # stalled: waiting weeks for verification
        ("verified", 3, 1),
        ("verified", 15, 2),  # stalled: verified, never publicized
        ("publicized", 3, 1),  # 公示 running
        ("publicized", 20, 1),  # period long over, approval stalled
        ("approved", 25, 1),  # approved, payment stalled
        ("disbursed", 30, 1),
        ("disbursed", 40, 2),
        ("rejected", 10, 1),
        ("withdrawn", 8, 1),
        ("objected", 6, 1),  # an objection sent it back to applied
    ]
    made: dict[str, int] = {}
    for i, (state, start, gap) in enumerate(plan[: len(households)]):
        industry = industries[i % len(industries)]
        quantity = str(rng.randint(2, 4))
        case = make_case(
            households[i],
            "publicized" if state == "objected" else state,
            start=back(start),
            clerk=clerk,
            verifier=approver,
            approver=county,
            industry=industry,
            quantity=quantity,
            gap=gap,
        )
        if state == "objected":
            objection = {"raised_by": "同村村民", "reason": "演示：实际养殖数量少于申报"}
            publicity_service.object_to_case(approver, case.id, objection)
        made[state] = made.get(state, 0) + 1
    return {"subsidies": made}
