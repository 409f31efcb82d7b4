"""What every document's builder needs beside its case: region names, offices, the clerk to ask.

The builders themselves live with the case they read (``loans.documents``,
``subsidies.documents``), registered as kinds in ``documents.registry``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.core.domain.labels import label
from loanflow.core.errors import Conflict, msg
from loanflow.core.regions import Region
from loanflow.extensions import db


def region_names(village_code: str) -> tuple[str, str, str]:
    """(county, township, village) names of a village."""
    codes = (village_code[:6], village_code[:9], village_code)
    rows = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())
    return rows.get(codes[0], ""), rows.get(codes[1], ""), rows.get(codes[2], "")


def office_of(name: str) -> str:
    """The poverty-alleviation office (扶贫办) of a county or township."""
    return f"{name}扶贫办"


def head_name(h: Any) -> str:
    """The name of a household's head, or nothing."""
    head = h.head
    return head.name if head else ""


def not_yet(case: Any, kind: str, state: str) -> Conflict:
    """The refusal of a document the case has not reached yet (409)."""
    name = label("document_kind", kind)
    return Conflict(
        msg(
            f"案件尚未到出具“{name}”的环节",
            f"The case has not reached the step that issues the {label('document_kind', kind, 'en')}",
            "document.not_yet",
        ),
        state=state,
    )


def contact(user_id: int, village_code: str) -> tuple[str, str]:
    """The clerk who opened the case: the household's first person to ask, and their phone."""
    clerk = db.session.get(User, user_id)
    _county, township, village = region_names(village_code)
    return f"{township}{village}经办员{clerk.full_name}", clerk.phone or "—"
