"""The village publicity list (村级公示) and objections (异议) to it.

One list per village and posting: the posting day is day 1, the period lasts
the policy's number of working days, approval opens on the first working day
after it. An objection takes only its own case off the list and back to
``applied`` for a new verification, releasing the case's reservation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.calendar.services import work_calendar
from loanflow.core import clock, uow
from loanflow.core.domain.money import format_money
from loanflow.core.errors import Invalid, NotFound, msg
from loanflow.core.scope import sees_village, village_filter
from loanflow.extensions import db
from loanflow.policy.services import current_policy
from loanflow.subsidies.domain.amounts import format_quantity
from loanflow.subsidies.models import Publicity, PublicityEntry, SubsidyCase, SubsidyObjection
from loanflow.subsidies.rules import load_case
from loanflow.subsidies.services import claim, release_reservation
from loanflow.subsidies.workflow import SUBSIDIES, check_action


def publicize_cases(actor: User, case_id: int, case_ids: list[int] | None = None) -> Publicity:
    """Post one village's 公示 for a set of verified cases (the case alone when no list is given)."""
    ids = sorted({case_id, *(case_ids or [])})
    cases = [load_case(actor, i) for i in ids]
    policy, today = current_policy(), clock.today()
    for case in cases:
        check_action(actor, case, "publicize", policy, today)
    villages = sorted({c.village_code for c in cases})
    if len(villages) > 1:
        raise Invalid(
            {
                "case_ids": [
                    msg(
                        f"一张公示名单只能包含同一个村的案件（涉及 {', '.join(villages)}）",
                        f"One publicity list holds cases of one village only (got {', '.join(villages)})",
                    )
                ]
            }
        )
    cal = work_calendar()
    days = policy.publicity_working_days
    period = cal.publicity_period(today, days)
    publicity = Publicity(
        village_code=villages[0],
        posted_on=today,
        start_on=period.start,
        end_on=period.end,
        approval_opens_on=period.approval_opens,
        provisional=period.provisional,
        policy_days=days,
        policy_version=policy.version,
        posted_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(publicity)
    db.session.flush()
    shown = {"start": period.start, "end": period.end, "approval_opens": period.approval_opens}
    for case in cases:
        head = case.household.head
        publicity.entries.append(
            PublicityEntry(
                case_id=case.id,
                head_name=head.name if head else "",
                industry=case.industry,
                verified_quantity=case.verified_quantity,
                amount=case.amount,
            )
        )
        stage = SUBSIDIES.stage("publicized", today, base=period.end, policy=policy, calendar=cal)
        stage["stage_due_provisional"] = stage["stage_due_provisional"] or period.provisional
        SUBSIDIES.move(
            actor,
            case,
            "publicize",
            changes={"publicity_id": publicity.id, **stage},
            audit_extra={"publicity_id": publicity.id, **shown},
            policy=policy,
        )
    audit.record(
        actor,
        "publicity.post",
        "publicity",
        publicity.id,
        chain=publicity.county_code,
        after={"village_code": publicity.village_code, "case_ids": ids, "days": days, **shown},
    )
    uow.flush()
    return publicity


def object_to_case(actor: User, case_id: int, data: dict[str, Any]) -> SubsidyCase:
    """Record an objection raised during the 公示: the case leaves the list and goes back to ``applied``."""
    case = load_case(actor, case_id)
    policy, today = current_policy(), clock.today()
    check_action(actor, case, "object", policy, today)  # the 公示 still runs: a guard of ``SUBSIDIES``
    claim(actor, case, policy, today)
    publicity = case.publicity
    before = {"amount": case.amount, "publicity_id": publicity.id}
    release_reservation(case, because="objection")
    objection = SubsidyObjection(
        case_id=case.id,
        publicity_id=publicity.id,
        raised_by=data["raised_by"],
        reason=data["reason"],
        recorded_on=today,
        recorded_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(objection)
    cleared = {
        "publicity_id": None,
        "reserved": False,
        "amount": None,
        "computation": None,
        "verified_quantity": None,
        "verified_on": None,
        "verified_by_id": None,
        "cap_period": None,
    }
    SUBSIDIES.move(
        actor,
        case,
        "object",
        changes=cleared,
        reason=data["reason"],
        audit_before=before,
        audit_extra={"raised_by": data["raised_by"], "objection_reason": data["reason"]},
        policy=policy,
    )
    uow.flush()
    return case


def get_publicity(actor: User, publicity_id: int) -> Publicity:
    p = db.session.get(Publicity, publicity_id)
    if p is None or not sees_village(actor, p.village_code):
        raise NotFound(msg(f"公示 {publicity_id} 不存在", f"Publicity list {publicity_id} not found"))
    return p


def list_publicity(
    actor: User, village: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Publicity], int]:
    """The 公示 lists the caller may see that still have a line, newest posted first, optionally of one
    village (or a township's)."""
    on_list = select(PublicityEntry.id).where(
        PublicityEntry.publicity_id == Publicity.id, PublicityEntry.removed_on.is_(None)
    )
    stmt = select(Publicity).where(village_filter(actor, Publicity.village_code), on_list.exists())
    if village:
        stmt = stmt.where(Publicity.village_code.like(village + "%"))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.order_by(Publicity.posted_on.desc(), Publicity.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def publicity_entries(p: Publicity) -> list[dict[str, Any]]:
    """The lines still on the list: name, industry, quantity and amount only (never an ID, phone or account).

    ``computation`` is the working of the amount *as posted* (quantity × rate, and 封顶 when
    the cap cut it), for ``subsidies.domain.amounts.amount_working``.
    """
    shown = [e for e in p.entries if e.removed_on is None]
    ids = [e.case_id for e in shown]
    cases = (
        {c.id: c for c in db.session.scalars(select(SubsidyCase).where(SubsidyCase.id.in_(ids)))}
        if ids
        else {}
    )
    return [
        {
            "case_id": e.case_id,
            "case_number": cases[e.case_id].case_number,
            "head_name": e.head_name,
            "industry": e.industry,
            "verified_quantity": format_quantity(e.verified_quantity),
            "amount": e.amount,
            "computation": as_posted(cases[e.case_id].computation, e.amount),
        }
        for e in shown
    ]


def as_posted(computation: dict | None, amount) -> dict | None:
    """The case's computation with the amount the list posted (an approval may compute it again later)."""
    if not computation:
        return None
    return {**computation, "amount": format_money(amount), "capped": amount < Decimal(computation["gross"])}
