"""The households' section of the work queue: bank-account changes someone else asked for."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.households.models import AccountChange, Household

POSITION = 10


def account_changes_to_confirm(user: User, limit: int) -> list[dict]:
    """The first ``limit`` bank-account changes of the user's region that someone else asked for, oldest first."""
    if user.role not in ("clerk", "approver"):
        return []
    stmt = (
        select(AccountChange)
        .join(Household)
        .where(
            AccountChange.state == "pending",
            AccountChange.requested_by_id != user.id,
            village_filter(user, Household.village_code),
        )
        .order_by(AccountChange.requested_at, AccountChange.id)
        .limit(limit)
    )
    return [
        {
            "endpoint": "web.household",
            "args": {"household_id": c.household_id},
            "case": f"#{c.household_id}",
            "who": c.household.head.name if c.household.head else "",
            "stage": lazy_gettext("Bank account change"),
            "due": None,
            "over": 0,
        }
        for c in db.session.scalars(stmt)
    ]


def queue_section(user: User, *, limit: int, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the account changes waiting for this user."""
    return POSITION, lazy_gettext("Bank account changes to confirm"), account_changes_to_confirm(user, limit)
