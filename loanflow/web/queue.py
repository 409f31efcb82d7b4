"""The work queue (待办): the cases waiting for this user's action, by role.

Each section is (title, rows); a row is a dict with the case link, who it is
for, the stage's deadline and how many working days it is over. Sections come
from the case areas whose services are installed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import select

from loanflow.extensions import db
from loanflow.models import AccountChange, Household, User
from loanflow.services.permissions import village_filter


def account_changes_to_confirm(user: User) -> list[dict]:
    """Bank-account changes of the user's region that someone else asked for."""
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
        .order_by(AccountChange.requested_at)
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


def work_queue(user: User) -> list[tuple[str, list[dict]]]:
    """The sections of the user's queue, each with its rows."""
    sections = [(lazy_gettext("Bank account changes to confirm"), account_changes_to_confirm(user))]
    return [(str(title), rows) for title, rows in sections if rows]
