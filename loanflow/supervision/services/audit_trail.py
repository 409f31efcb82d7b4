"""The audit trail as a supervisor reads it: events searched by entity, actor, action and dates, each
with before → after masked as the supervisor's views are (ID numbers, accounts, phones and names).

A county supervisor reads the county's chain (and the policy's); a township supervisor only the events
of the households and cases of the township.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, func, or_, select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.audit.models import AuditEvent
from loanflow.core.clock import SHANGHAI
from loanflow.core.domain.idcard import mask_account, mask_id_number, mask_phone
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.supervision.cases import PRODUCTS
from loanflow.supervision.domain.masking import mask_name
from loanflow.supervision.models import SpotCheck
from loanflow.supervision.services.stalled import require_supervisor

MASKS = {
    "id_number": mask_id_number,
    "borrower_id_number": mask_id_number,
    "bank_account": mask_account,
    "paid_account": mask_account,
    "phone": mask_phone,
    "name": mask_name,
    "borrower_name": mask_name,
    "head_name": mask_name,
    "birth_date": lambda _v: "****",
}


def masked(value: Any) -> Any:
    """A before/after value with the personal fields masked, however deep they sit."""
    if isinstance(value, dict):
        return {
            k: (MASKS[k](v) if k in MASKS and isinstance(v, str) and v else masked(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


@dataclass(frozen=True)
class EventSearch:
    entity: str | None = None
    entity_id: str | None = None
    actor: str | None = None  # a login name or a person's name
    action: str | None = None  # exact, or a prefix ending in "." (``loan.``)
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class ShownEvent:
    id: int
    chain: str
    seq: int
    at: datetime
    actor: str
    actor_name: str
    role: str
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any
    reason: str


def _scope(user: Any):
    county = user.region_code[:6]
    if len(user.region_code) == 6:
        return AuditEvent.chain.in_([county, audit.GLOBAL_CHAIN])
    entities = [("household", Household.id, Household.village_code)]
    entities += [(name, p.model.id, p.model.village_code) for name, p in PRODUCTS.items()]
    entities += [("spot_check", SpotCheck.id, SpotCheck.region_code)]  # the township's own samples
    inside = [
        and_(
            AuditEvent.entity_type == name,
            AuditEvent.entity_id.in_(select(cast(key, String)).where(where.startswith(user.region_code))),
        )
        for name, key, where in entities
    ]
    return and_(AuditEvent.chain == county, or_(*inside))


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, SHANGHAI)


def search_events(
    user: Any, s: EventSearch, page: int = 1, per_page: int = 50
) -> tuple[list[ShownEvent], int]:
    """The events of the caller's region matching the search, newest first, masked."""
    require_supervisor(user)
    stmt = select(AuditEvent).where(_scope(user))
    if s.entity:
        stmt = stmt.where(AuditEvent.entity_type == s.entity)
    if s.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == str(s.entity_id))
    if s.actor:
        people = select(User.id).where(or_(User.username == s.actor, User.full_name.contains(s.actor)))
        stmt = stmt.where(or_(AuditEvent.actor == s.actor, AuditEvent.actor_id.in_(people)))
    if s.action:
        action = AuditEvent.action
        stmt = stmt.where(action.startswith(s.action) if s.action.endswith(".") else action == s.action)
    if s.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= _day_start(s.date_from))
    if s.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < _day_start(s.date_to + timedelta(days=1)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    events = audit.with_names(
        list(
            db.session.scalars(
                stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        )
    )
    return [
        ShownEvent(
            id=e.id,
            chain=e.chain,
            seq=e.seq,
            at=e.occurred_at,
            actor=e.actor,
            actor_name=e.actor_name,
            role=e.role,
            action=e.action,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            before=masked(e.before),
            after=masked(e.after),
            reason=e.reason,
        )
        for e in events
    ], total


def changes(before: Any, after: Any) -> str:
    """What an event changed, as ``field: before → after`` (the fields whose value differs)."""
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return f"{before} → {after}"
    keys = [k for k in (*before, *(k for k in after if k not in before)) if before.get(k) != after.get(k)]
    return "; ".join(f"{k}: {_short(before.get(k))} → {_short(after.get(k))}" for k in keys)


def _short(value: Any) -> str:
    if value is None:
        return "—"
    shown = str(value)
    return shown if len(shown) <= 80 else shown[:77] + "…"


def verify(user: Any) -> audit.Verification:
    """Walk the chains the caller may read (the county's and the global one) and report the first broken
    link; the verification is recorded with the supervisor's name (``audit.verify``)."""
    require_supervisor(user)
    return audit.check(user, [user.region_code[:6], audit.GLOBAL_CHAIN], via="page")
