"""Which actions take a waiting case on to its next step, read from the product's state table.

A case waits on whoever may take one of these now. Rejecting and withdrawing close a
case without its purpose (the two abandonment actions of both products): a case whose
only possible move is to be given up is stuck, so they never make anyone "the one who
must act". Everything else comes from the table (the states, the roles): a state or an
action added to a table is covered without a change here.
"""

from __future__ import annotations

from loanflow.core.domain.workflows import Workflow

EXITS = frozenset({"reject", "withdraw"})
SYSTEM = "system"


def moving_actions(table: Workflow, state: str, role: str) -> list[str]:
    """The actions of ``role`` that move a case waiting in ``state`` on (never an exit, never the system's)."""
    return [a for a in table.allowed_for(state, role) if a not in EXITS]


def acting_roles(table: Workflow, state: str) -> list[str]:
    """The roles that may move a case waiting in ``state`` on, in the order the table names them."""
    roles: list[str] = []
    for action in table.actions_from(state):
        if action in EXITS:
            continue
        for role in sorted(table.step(action).roles):
            if role != SYSTEM and role not in roles:
                roles.append(role)
    return roles
