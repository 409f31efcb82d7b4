"""Which actions take a waiting case on to its next step, read from the product's state table.

A case waits on whoever may take one of these now. Rejecting and withdrawing close a case without
its purpose (the two abandonment actions of both products): a case whose only possible move is to be
given up is stuck, so they never make anyone "the one who must act". Of the other actions, those that
change the case's state move it on (a claim is approved or refused; a reversal, which leaves the
claim where it is, does not); where none does, the stage is decided in place (an extension request:
extend or decline) and every action counts. Everything comes from the table: a state or an action
added to it is covered without a change here.
"""

from __future__ import annotations

from loanflow.core.domain.workflows import Step, Workflow

EXITS = frozenset({"reject", "withdraw"})
SYSTEM = "system"


def _changes(step: Step, state: str) -> bool:
    return step.dests[0] not in ("=", state)


def _moving(table: Workflow, state: str) -> list[str]:
    candidates = [
        a for a in table.actions_from(state) if a not in EXITS and SYSTEM not in table.step(a).roles
    ]
    changing = [a for a in candidates if _changes(table.step(a), state)]
    return changing or candidates


def moving_actions(table: Workflow, state: str, role: str) -> list[str]:
    """The actions of ``role`` that move a case waiting in ``state`` on."""
    return [a for a in _moving(table, state) if role in table.step(a).roles]


def acting_roles(table: Workflow, state: str) -> list[str]:
    """The roles that may move a case waiting in ``state`` on, in the order the table names them."""
    roles: list[str] = []
    for action in _moving(table, state):
        for role in sorted(table.step(action).roles):
            if role not in roles:
                roles.append(role)
    return roles
