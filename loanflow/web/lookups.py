"""Read-only lookups the pages of several features need beside a service's answer (choices for selects).

Each one is scoped by the same predicates the services use; none changes anything.
A feature's own lookups live with it (``loans.lookups``, ``subsidies.lookups``, ``households.lookups``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from loanflow.core.regions import Region
from loanflow.core.scope import village_filter
from loanflow.extensions import db


def visible_villages(user: Any) -> list[Region]:
    """The villages the user may see, for a search filter or a register form."""
    stmt = select(Region).where(Region.level == "village", village_filter(user, Region.code))
    return list(db.session.scalars(stmt.order_by(Region.code)))
