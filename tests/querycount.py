"""Counting the SQL statements a request sends, and a county with many households and cases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import event, select

from loanflow.accounts.models import User
from loanflow.core import clock
from loanflow.core.regions import Region
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.subsidies.demo import fresh_household
from loanflow.subsidies.models import SubsidyCase


@contextmanager
def statements() -> Iterator[list[str]]:
    """The statements sent inside the block, starting from an empty session (as a new request would)."""
    db.session.close()
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def households_in_many_villages(n: int) -> list[int]:
    """``n`` more households, each in another village of the demo county; their ids."""
    villages = db.session.scalars(select(Region.code).where(Region.level == "village").order_by(Region.code))
    codes = list(villages)
    return [fresh_household(codes[i % len(codes)], f"户主{i}").id for i in range(n)]


def applied_cases(n: int) -> None:
    """``n`` applied subsidy cases of households in as many villages (written directly: only lists read them)."""
    clerk = db.session.scalar(select(User).where(User.username == "clerk"))
    today, now = clock.today(), clock.now()
    for i, household_id in enumerate(households_in_many_villages(n)):
        h = db.session.get(Household, household_id)
        db.session.add(
            SubsidyCase(
                household_id=h.id,
                village_code=h.village_code,
                state="applied",
                industry=("pig", "kiwi", "tea")[i % 3],
                declared_quantity=Decimal(1 + i % 5),
                consent=True,
                applied_on=today,
                applied_by_id=clerk.id,
                policy_version=1,
                stage_started_on=today,
                stage_due_on=date(today.year, 12, 31),
                created_at=now,
                updated_at=now,
            )
        )
    db.session.commit()
