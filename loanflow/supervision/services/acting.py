"""Who must act on a waiting case (the role, and the named users who may move it now), and why nobody
may when nobody may (a dead end).

The answer is the product engine's own: a user may move a case when the engine lets them take one of
the case's moving actions now (``domain.progress``) — scope, role, level, four eyes and the case's
guards, exactly as ``allowed_actions`` decides. Deactivated users never count. The staff of the
counties in question is read once, so a page of cases costs one query for the people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from loanflow.accounts.models import User
from loanflow.core.domain.labels import label
from loanflow.core.errors import Msg, msg
from loanflow.core.regions import Branch
from loanflow.core.scope import code_prefix
from loanflow.core.workflow import Moment
from loanflow.extensions import db
from loanflow.supervision.cases import PRODUCTS, Product
from loanflow.supervision.domain.progress import acting_roles, moving_actions

# the roles that move some waiting case on (not the clerk: applying and withdrawing move nothing on)
ACTING_ROLES = sorted(
    {r for p in PRODUCTS.values() for s in p.table.states for r in acting_roles(p.table, s)}
)


@dataclass(frozen=True)
class Actor:
    id: int
    name: str
    role: str


@dataclass(frozen=True)
class WhoMustAct:
    roles: tuple[str, ...]
    actors: tuple[Actor, ...]  # active users who may move the case now
    reason: Msg | None  # why nobody may (a dead end); None when someone may

    @property
    def dead_end(self) -> bool:
        return not self.actors


class Staff:
    """The users of the acting roles in some counties (deactivated ones too, to explain a dead end)."""

    def __init__(self, counties: Iterable[str]):
        counties = sorted(set(counties))
        self.by_role: dict[str, list[User]] = {r: [] for r in ACTING_ROLES}
        if not counties:
            return
        stmt = (
            select(User)
            .where(User.role.in_(ACTING_ROLES), or_(*[code_prefix(User.region_code, c) for c in counties]))
            .options(selectinload(User.branch).selectinload(Branch.townships))
            .order_by(User.id)
        )
        for user in db.session.scalars(stmt):
            self.by_role[user.role].append(user)


_MOVING: dict[tuple[str, str, str], list[str]] = {}


def _moving(product: Product, state: str, role: str) -> list[str]:
    """The role's moving actions in the state, guard-free ones first (the answer comes without reading
    the case's money); read from the table once per product, state and role."""
    key = (product.name, state, role)
    if key not in _MOVING:
        guards = product.engine.guards
        _MOVING[key] = sorted(
            moving_actions(product.table, state, role), key=lambda a: len(guards.get(a, ()))
        )
    return _MOVING[key]


def may_move(product: Product, user: Any, case: Any, now: Moment) -> bool:
    """Whether ``user`` may move the case on now (deactivated or not: the caller decides)."""
    return product.engine.sees(user, case) and _may_move_seen(product, user, case, now)


def _may_move_seen(product: Product, user: Any, case: Any, now: Moment) -> bool:
    """``may_move`` for a user already known to see the case."""
    engine = product.engine
    return any(engine.may(user, case, a, now) for a in _moving(product, case.state, user.role))


_ROLES: dict[tuple[str, str], tuple[str, ...]] = {}


def _roles(product: Product, state: str) -> tuple[str, ...]:
    key = (product.name, state)
    if key not in _ROLES:
        _ROLES[key] = tuple(acting_roles(product.table, state))
    return _ROLES[key]


def who_must_act(product: Product, case: Any, staff: Staff, now: Moment) -> WhoMustAct:
    """The roles that move a case in its state, the active users who may now, and else why nobody may."""
    engine = product.engine
    roles = _roles(product, case.state)
    actors: list[Actor] = []
    asleep: list[User] = []  # would be allowed, but deactivated
    blocked: list[User] = []  # see the case, may not move it
    for role in roles:
        for user in staff.by_role.get(role, ()):
            if not engine.sees(user, case):
                continue
            if not _may_move_seen(product, user, case, now):
                blocked.append(user)
            elif user.active:
                actors.append(Actor(user.id, user.full_name, user.role))
            else:
                asleep.append(user)
    if actors:
        return WhoMustAct(roles, tuple(actors), None)
    # only a dead end needs to know what refused them: refusal code → the action it refused
    refused: dict[str, str] = {}
    for user in blocked:
        for a in _moving(product, case.state, user.role):
            for refusal in engine.refusals:
                why = refusal(user, case, product.table.step(a), now)
                if why is not None:
                    refused.setdefault(why.code, a)
    return WhoMustAct(roles, (), _why_nobody(product, case, roles, asleep, refused))


def _why_nobody(product: Product, case: Any, roles: tuple[str, ...], asleep: list, refused: dict) -> Msg:
    if not roles:
        return msg("此环节没有可以办理的角色", "No role may move the case on from this state", "dead_end")
    role = roles[0]
    moving = moving_actions(product.table, case.state, role)
    action = refused.get("four_eyes") or next(iter(refused.values()), None) or (moving[-1] if moving else "")
    act_zh, act_en = label(product.action_kind, action), label(product.action_kind, action, "en").lower()
    role_zh, role_en = label("role", role), label("role", role, "en").lower()
    unit_zh, unit_en = ("本网点", "branch") if role == "bank_officer" else ("本辖区", "region")
    if asleep:
        names = "、".join(u.full_name for u in asleep)
        return msg(
            f"可以{act_zh}的{role_zh}（{names}）已停用",
            f"The {role_en}s who could {act_en} ({', '.join(u.full_name for u in asleep)}) are deactivated",
            "dead_end.deactivated",
        )
    if "four_eyes" in refused:
        return msg(
            f"须由{unit_zh}另一名{role_zh}{act_zh}，{unit_zh}目前没有",
            f"Another {role_en} of the {unit_en} must {act_en}; the {unit_en} has none",
            "dead_end.four_eyes",
        )
    if refused:
        return msg(
            f"{unit_zh}没有有权{act_zh}的{role_zh}",
            f"No {role_en} of the {unit_en} may {act_en}",
            "dead_end.level",
        )
    return msg(
        f"{unit_zh}没有可以{act_zh}的{role_zh}",
        f"The {unit_en} has no {role_en} who could {act_en}",
        "dead_end.nobody",
    )
