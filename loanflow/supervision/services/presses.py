"""Press (督办): a supervisor presses a waiting case with a note; the first move of the case answers it.

The users who must act see the open presses at the top of their work queue (``queue_section``);
the engine's ``case_moved`` signal answers them in the move's own transaction (``answer_presses``).
Both the press and its answer are audit events on the case, so its timeline shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import selectinload

from loanflow.audit import services as audit
from loanflow.core import clock
from loanflow.core.errors import Conflict, Invalid, msg
from loanflow.core.paging import first_kept
from loanflow.core.scope import village_filter
from loanflow.core.workflow import Moment
from loanflow.extensions import db
from loanflow.policy.services import current_policy
from loanflow.supervision.cases import PRODUCTS, Product, product
from loanflow.supervision.models import Press
from loanflow.supervision.services.acting import may_move
from loanflow.supervision.services.stalled import require_supervisor

NOTE_MAX = 1000


def check_press(user: Any, case_type: str, case_id: int) -> Any:
    """The case, if the caller may press it: 404 outside the region, 403 not a supervisor, 409 waiting on no one."""
    p = product(case_type)
    case = p.engine.load(user, case_id)
    require_supervisor(user)
    if case.stage_due_on is None:
        raise Conflict(
            msg(
                "该案件不在等待办理的环节，无需督办",
                "The case waits on no one: there is nothing to press",
                "state",
            ),
            state=case.state,
        )
    return case


def press_case(user: Any, case_type: str, case_id: int, note: str) -> Press:
    """Press a waiting case with a note (the checks of ``check_press``, then 422 without a note)."""
    p = product(case_type)
    case = check_press(user, case_type, case_id)
    note = (note or "").strip()
    if not note:
        raise Invalid({"note": [msg("请填写督办意见", "Write what the press asks for")]})
    if len(note) > NOTE_MAX:
        raise Invalid({"note": [msg(f"不能超过 {NOTE_MAX} 字", f"At most {NOTE_MAX} characters")]})
    press = Press(
        case_type=p.name,
        case_id=case.id,
        village_code=case.village_code,
        state=case.state,
        note=note,
        pressed_by_id=user.id,
        pressed_at=clock.now(),
    )
    db.session.add(press)
    db.session.flush()
    audit.record(
        user,
        "supervision.press",
        p.name,
        case.id,
        chain=case.village_code[:6],
        after={"press_id": press.id, "state": case.state, "due_on": case.stage_due_on},
        reason=note,
    )
    return press


# Every move of a case asks this: built once (a statement built per call was a third of its cost).
_OPEN_PRESSES = select(Press.__table__.c.id).where(
    Press.__table__.c.case_type == bindparam("case_type"),
    Press.__table__.c.case_id == bindparam("case_id"),
    Press.__table__.c.answered_at.is_(None),
)


def answer_presses(case_type: str, *, case: Any, action: str, actor: Any, **_kwargs: Any) -> None:
    """``case_moved``: a user's move answers the case's open presses (who, when, which action)."""
    if actor is None or case_type not in PRODUCTS:
        return  # the system's sweep answers no press
    params = {"case_type": case_type, "case_id": case.id}
    open_ids = list(db.session.scalars(_OPEN_PRESSES, params))
    if not open_ids:
        return
    now = clock.now()
    db.session.execute(
        update(Press)
        .where(Press.id.in_(open_ids), Press.answered_at.is_(None))
        .values(answered_at=now, answered_by_id=actor.id, answer_action=action),
        execution_options={"synchronize_session": False},
    )
    for press_id in open_ids:
        audit.record(
            actor,
            "supervision.press_answered",
            case_type,
            case.id,
            chain=case.village_code[:6],
            before={"press_id": press_id},
            after={"press_id": press_id, "action": action, "state": case.state},
        )


def presses(
    user: Any, *, answered: bool | None = None, page: int = 1, per_page: int = 50
) -> tuple[list, int]:
    """The presses of the caller's region, newest first (open or answered)."""
    require_supervisor(user)
    stmt = select(Press).where(village_filter(user, Press.village_code))
    if answered is not None:
        stmt = stmt.where(Press.answered_at.is_not(None) if answered else Press.answered_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.options(selectinload(Press.pressed_by), selectinload(Press.answered_by))
        .order_by(Press.pressed_at.desc(), Press.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return with_numbers(list(rows)), total


def with_numbers(rows: list[Press]) -> list[Press]:
    """Each press with its case's number (``case_number``), the cases read once per product."""
    for name, p in PRODUCTS.items():
        cases = p.load({r.case_id for r in rows if r.case_type == name})
        for r in rows:
            if r.case_type == name and r.case_id in cases:
                r.case_number = p.number(cases[r.case_id])
                r.endpoint = p.endpoint
    return rows


@dataclass(frozen=True)
class PressForMe:
    press: Press
    case: Any
    case_number: str
    endpoint: str
    age_days: int


def presses_for(user: Any, today: date | None = None, *, limit: int) -> list[PressForMe]:
    """The first ``limit`` open presses of cases this user may move now (the top of their work queue),
    oldest first. ``may_move`` judges each press's case after SQL; ``first_kept`` reads on past the
    presses it drops (those for someone else), so the first ``limit`` are right."""
    if not user.active or user.role in ("supervisor", "admin"):
        return []
    today = today or clock.today()
    stmt = (
        select(Press)
        .where(Press.answered_at.is_(None), village_filter(user, Press.village_code))
        .order_by(Press.pressed_at, Press.id)
    )

    def movable(rows: list[Press]) -> list[PressForMe]:
        out = []
        for r, p, case in with_cases(rows):
            if may_move(p, user, case, moment(p, today)):
                out.append(PressForMe(r, case, p.number(case), p.endpoint, age_days(r, today)))
        return out

    return first_kept(stmt, limit, movable)


def age_days(press: Press, today: date) -> int:
    """Days since the press, counted on the county's calendar days (Beijing time)."""
    return (today - press.pressed_at.astimezone(clock.SHANGHAI).date()).days


def moment(p: Product, today: date) -> Moment:
    """The product's engine's moment of the policy in force today (read once per request)."""
    return p.engine.moment(policy=current_policy(), today=today)


def with_cases(rows: list[Press]) -> list[tuple[Press, Product, Any]]:
    """Each press with its product and its case, in the presses' order (the cases read once per
    product, with what their guards read); a press whose case is gone is left out."""
    cases = {name: p.load({r.case_id for r in rows if r.case_type == name}) for name, p in PRODUCTS.items()}
    return [
        (r, PRODUCTS[r.case_type], cases[r.case_type][r.case_id])
        for r in rows
        if r.case_type in cases and r.case_id in cases[r.case_type]
    ]
