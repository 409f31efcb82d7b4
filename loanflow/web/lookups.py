"""Read-only lookups the pages of several features need beside a service's answer (choices for selects).

Each one is scoped by the same predicates the services use; none changes anything.
A feature's own lookups live with it (``loans.lookups``, ``subsidies.lookups``, ``households.lookups``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from loanflow.core.regions import Region
from loanflow.core.scope import village_filter
from loanflow.extensions import db


@dataclass(frozen=True)
class Village:
    """A village as a select shows it: its code, its name and its township's name (南冲村 is in three)."""

    code: str
    name: str
    township: str


def visible_villages(user: Any) -> list[Village]:
    """The villages the user may see, for a search filter or a register form, in township order."""
    township = aliased(Region)
    stmt = (
        select(Region.code, Region.name, township.name)
        .join(township, township.code == Region.parent_code)
        .where(Region.level == "village", village_filter(user, Region.code))
        .order_by(Region.code)
    )
    return [Village(code, name, town) for code, name, town in db.session.execute(stmt)]


def by_township(villages: list[Village]) -> list[tuple[str, list[Village]]]:
    """The villages grouped under their township (an ``<optgroup>`` each), in code order."""
    return [(town, list(group)) for town, group in groupby(villages, key=lambda v: v.township)]
