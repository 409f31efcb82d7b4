"""Read-only lookups the household page needs beside the service's answer; none changes anything."""

from __future__ import annotations

from sqlalchemy import select

from loanflow.extensions import db
from loanflow.households.models import AccountChange, Household


def pending_account_changes(household: Household) -> list[AccountChange]:
    """Account changes of a household (already loaded within the caller's scope) still waiting."""
    stmt = select(AccountChange).where(
        AccountChange.household_id == household.id, AccountChange.state == "pending"
    )
    return list(db.session.scalars(stmt.order_by(AccountChange.id)))
