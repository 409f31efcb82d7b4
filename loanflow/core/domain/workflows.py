"""The state tables of both products (DOMAIN.md "States and actions"), one machine each.

Each workflow is a ``transitions.Machine`` built once at import with
``model=None``: cases are never added to it; an action is fired with
``machine.events[action].trigger(case, dest=…)`` on a plain object whose
``state`` attribute the machine reads and writes. Who may act is part of the
table (roles, and the earlier action whose actor may not take this one: four
eyes). Guards that need the case's data (maturity, a pending extension
request, the compensation threshold, the 公示 period) are declared beside the
table in each feature's ``workflow`` module and run by the one case engine
(``core.workflow``) before it fires the table; refusals raise typed errors
that the API maps to 403 and 409.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transitions import Machine, MachineError


@dataclass(frozen=True)
class Step:
    """One action of a table: where it may start, where it may lead, who may take it."""

    action: str
    sources: tuple[str, ...]
    dests: tuple[str, ...]  # the first is the usual outcome; "=" keeps the state
    roles: frozenset[str]
    not_by_actor_of: str | None = None  # four eyes: who took that action may not take this one
    creates: bool = False


class NotAllowedInState(Exception):
    """The action cannot be taken in the case's state (409)."""

    def __init__(self, action: str, state: str, allowed: list[str]):
        super().__init__(f"{action} is not allowed in state {state}")
        self.action, self.state, self.allowed = action, state, allowed


class RoleMayNot(Exception):
    """The caller's role may not take the action (403)."""

    def __init__(self, action: str, role: str):
        super().__init__(f"{role} may not {action}")
        self.action, self.role = action, role


@dataclass
class _Probe:
    """What the machine moves when the service only needs the outcome."""

    state: str


@dataclass
class Workflow:
    name: str
    states: tuple[str, ...]
    steps: tuple[Step, ...]
    by_action: dict[str, Step] = field(init=False)
    machine: Machine = field(init=False)

    def __post_init__(self) -> None:
        self.by_action = {s.action: s for s in self.steps}
        transitions = []
        for s in self.steps:
            if s.creates:
                continue
            for dest in s.dests:
                transitions.append(
                    {
                        "trigger": s.action,
                        "source": list(s.sources),
                        "dest": dest,
                        "conditions": [
                            lambda event, d=dest, first=s.dests[0]: event.kwargs.get("dest", first) == d
                        ],
                    }
                )
        self.machine = Machine(
            model=None,
            states=list(self.states),
            transitions=transitions,
            initial=None,
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
        )

    def step(self, action: str) -> Step:
        return self.by_action[action]

    def actions_from(self, state: str) -> list[str]:
        return [s.action for s in self.steps if state in s.sources and not s.creates]

    def allowed_for(self, state: str, role: str) -> list[str]:
        """The actions this role may take from this state, before case-specific guards."""
        return [a for a in self.actions_from(state) if role in self.by_action[a].roles]

    def check(self, action: str, state: str, role: str) -> Step:
        """Role first (403), then state (409), as DOMAIN.md orders them."""
        step = self.by_action.get(action)
        if step is None or role not in step.roles:
            raise RoleMayNot(action, role)
        if state not in step.sources:
            raise NotAllowedInState(action, state, self.allowed_for(state, role))
        return step

    def fire(self, case, action: str, dest: str | None = None) -> str:
        """Move ``case.state`` through the machine; return the new state."""
        kwargs = {} if dest is None else {"dest": dest}
        try:
            ok = self.machine.events[action].trigger(case, **kwargs)
        except MachineError as e:
            raise NotAllowedInState(action, case.state, self.actions_from(case.state)) from e
        if not ok:
            raise NotAllowedInState(action, case.state, self.actions_from(case.state))
        return case.state

    def outcome(self, state: str, action: str, dest: str | None = None) -> str:
        """The state an action leads to, without touching a case."""
        return self.fire(_Probe(state), action, dest)


CLERK, OFFICER, APPROVER = frozenset({"clerk"}), frozenset({"bank_officer"}), frozenset({"approver"})
OPEN_BEFORE_DISBURSEMENT = ("applied", "rated", "credited")

LOAN = Workflow(
    "loan",
    (
        "applied",
        "rated",
        "credited",
        "disbursed",
        "overdue",
        "recalled",
        "compensation_claimed",
        "repaid",
        "compensated",
        "rejected",
        "withdrawn",
    ),
    (
        Step("apply", (), ("applied",), CLERK, creates=True),
        Step("rate", ("applied",), ("rated", "rejected"), OFFICER),
        Step("credit", ("rated",), ("credited",), OFFICER),
        Step("disburse", ("credited",), ("disbursed",), OFFICER, not_by_actor_of="credit"),
        Step("repay", ("disbursed", "overdue", "recalled"), ("=", "repaid", "disbursed"), OFFICER),
        Step(
            "reverse-repayment",
            ("disbursed", "overdue", "recalled", "compensation_claimed", "repaid", "compensated"),
            ("=", "disbursed", "overdue", "recalled"),
            OFFICER,
            not_by_actor_of="repay",
        ),
        Step("request-extension", ("disbursed",), ("=",), CLERK),
        Step("extend", ("disbursed",), ("=",), OFFICER),
        Step("decline-extension", ("disbursed",), ("=",), OFFICER),
        Step("recall", ("disbursed", "overdue"), ("recalled",), OFFICER),
        Step("claim-compensation", ("overdue", "recalled"), ("compensation_claimed",), OFFICER),
        # the fund is public money: a county approver decides, never the bank (level: loans.guards)
        Step("approve-compensation", ("compensation_claimed",), ("compensated",), APPROVER),
        Step("refuse-compensation", ("compensation_claimed",), ("overdue", "recalled"), APPROVER),
        Step("recover", ("compensated",), ("=",), OFFICER),
        Step("reject", OPEN_BEFORE_DISBURSEMENT, ("rejected",), OFFICER),
        Step("withdraw", OPEN_BEFORE_DISBURSEMENT, ("withdrawn",), CLERK),
        Step("sweep", ("disbursed", "overdue"), ("overdue", "disbursed"), frozenset({"system"})),
    ),
)

SUBSIDY = Workflow(
    "subsidy",
    ("applied", "verified", "publicized", "approved", "disbursed", "rejected", "withdrawn"),
    (
        Step("apply", (), ("applied",), CLERK, creates=True),
        Step("verify", ("applied",), ("verified",), APPROVER),
        Step("publicize", ("verified",), ("publicized",), APPROVER),
        Step("object", ("publicized",), ("applied",), APPROVER),
        Step("approve", ("publicized",), ("approved",), APPROVER, not_by_actor_of="verify"),
        Step("disburse", ("approved",), ("disbursed",), APPROVER),
        Step("reject", ("applied", "verified", "publicized", "approved"), ("rejected",), APPROVER),
        Step("withdraw", ("applied", "verified", "publicized"), ("withdrawn",), CLERK),
    ),
)
