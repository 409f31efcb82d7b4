"""What supervision says on a case's page (``core.signals.case_notices``): a dead end and why, how late a
stalled case is and who holds it, the open presses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from loanflow.calendar.services import work_calendar
from loanflow.core import clock
from loanflow.core.domain.labels import label
from loanflow.core.errors import msg
from loanflow.extensions import db
from loanflow.policy.services import current_policy
from loanflow.supervision.cases import PRODUCTS
from loanflow.supervision.models import Press
from loanflow.supervision.services.acting import Staff, who_must_act
from loanflow.supervision.services.stalled import last_working_day

POSITION = 10


def case_notices(case_type: str, *, case: Any, user: Any, **_kwargs: Any) -> list[tuple] | None:
    p = PRODUCTS.get(case_type)
    if p is None or case.stage_due_on is None:
        return None
    today = clock.today()
    who = who_must_act(
        p, case, Staff([case.village_code[:6]]), p.engine.moment(policy=current_policy(), today=today)
    )
    notices: list[tuple] = []
    if who.dead_end:
        notices.append(
            (
                POSITION,
                "error",
                msg(f"此案件无人可以办理：{who.reason.zh}", f"Nobody may move this case: {who.reason.en}"),
            )
        )
    elif case.stage_due_on < last_working_day(cal := work_calendar(), today):
        over = cal.working_days_between(case.stage_due_on, today).days
        names_zh = "、".join(a.name for a in who.actors)
        roles_zh = "、".join(label("role", r) for r in who.roles)
        roles_en = ", ".join(label("role", r, "en").lower() for r in who.roles)
        notices.append(
            (
                POSITION,
                "error",
                msg(
                    f"已超期 {over} 个工作日，待{roles_zh}（{names_zh}）办理",
                    f"{over} working days over; waiting for the {roles_en} ({', '.join(a.name for a in who.actors)})",
                ),
            )
        )
    pending = db.session.scalars(
        select(Press)
        .where(Press.case_type == case_type, Press.case_id == case.id, Press.answered_at.is_(None))
        .order_by(Press.pressed_at)
    )
    for press in pending:
        day = press.pressed_at.astimezone(clock.SHANGHAI).date().isoformat()
        notices.append(
            (POSITION + 1, "info", msg(f"督办（{day}）：{press.note}", f"Pressed ({day}): {press.note}"))
        )
    return notices
