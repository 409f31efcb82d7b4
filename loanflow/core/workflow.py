"""The one case engine: every case type moves through it, in the order DOMAIN.md gives the refusals.

load in the caller's scope (404) → role, then level and four eyes (403) →
state, then the case guards (409, listing what the caller may still do) →
the service's own input checks (422) → the guarded ``UPDATE … WHERE id, state,
version`` → the service's rows → the audit event, with the stage deadline set
from the policy.

A feature builds one ``CaseEngine`` beside its state table and hands it what
core may not import (core imports no feature): the scope loader, its refusal
messages, the guards per action, the audit recorder and the getters of the
policy in force and the work calendar. Guards are declared there, in one
mapping, so ``allowed_actions`` answers the same whatever was imported first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy import Update, bindparam, inspect, update
from sqlalchemy.orm.attributes import set_committed_value

from loanflow.core import clock, signals, uow
from loanflow.core.domain.policy import Policy
from loanflow.core.domain.workdays import WorkCalendar
from loanflow.core.domain.workflows import Step, Workflow
from loanflow.core.errors import Conflict, Forbidden, Msg
from loanflow.extensions import db


class Moment:
    """The policy and business date one check reads: each fetched once, the policy only if a rule asks.

    ``four_eyes`` may be given by a caller that read the policy already (the work queue).
    """

    def __init__(
        self,
        policy_getter: Callable[[], Policy],
        *,
        policy: Policy | None = None,
        today: date | None = None,
        four_eyes: bool | None = None,
    ):
        self._get_policy, self._policy, self._today, self._four_eyes = policy_getter, policy, today, four_eyes

    @cached_property
    def policy(self) -> Policy:
        return self._policy if self._policy is not None else self._get_policy()

    @cached_property
    def today(self) -> date:
        return self._today if self._today is not None else clock.today()

    @property
    def four_eyes(self) -> bool:
        return self._four_eyes if self._four_eyes is not None else self.policy.four_eyes


# A case guard answers None when the action may go ahead now, else the message why not (409).
Guard = Callable[[Any, Any, Moment], Msg | None]
# A refusal of the actor for this case (level, four eyes): None, or the message of the 403.
Refusal = Callable[[Any, Any, Step, Moment], Msg | None]

_BOOKKEEPING = ("version", "updated_at")  # written by every move, never part of the audit event


@dataclass(kw_only=True)
class CaseEngine:
    """Moves the cases of one state table; see the module docstring for the order of its checks."""

    table: Workflow  # its name is the product's: policy deadlines, audit entity and event prefix
    model: type  # the mapped class; its table has id, state, version, updated_at
    waiting_stages: Mapping[str, str]  # state → the stage whose deadline runs while a case waits in it
    load: Callable[[Any, int], Any]  # the case if the caller may see it, else NotFound (404)
    sees: Callable[[Any, Any], bool]
    role_refusal: Callable[[Any, str, Step | None], Msg]
    refusals: Sequence[Refusal] = ()
    state_refusal: Callable[[Any, str], Msg]
    lost_race: Msg
    guards: Mapping[str, Sequence[Guard]] = field(default_factory=dict)
    record: Callable[
        ..., None
    ]  # the audit recorder: (actor, event, entity, id, *, chain, before, after, reason)
    chain: Callable[[Any], str]  # the audit chain a case's events go to
    policy: Callable[[], Policy]
    calendar: Callable[[], WorkCalendar]
    audit_columns: bool = True  # the event's ``after`` lists every column written (else the state)
    keeps_stage_start: bool = False  # a case waiting on no one still records when it entered its state
    _guarded_update: Update = field(init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.guards) - set(self.table.by_action)
        if unknown:
            raise ValueError(
                f"guards for actions the {self.table.name} table does not have: {sorted(unknown)}"
            )
        # Built once; the SET clause comes from each call's parameters (SQLAlchemy's "UPDATE with
        # parameters"), so the compiled statement is cached per set of columns.
        t = self.model.__table__
        self._guarded_update = update(t).where(
            t.c.id == bindparam("g_id"),
            t.c.state == bindparam("g_state"),
            t.c.version == bindparam("g_version"),
        )

    @property
    def name(self) -> str:
        return self.table.name

    def moment(
        self, *, policy: Policy | None = None, today: date | None = None, four_eyes: bool | None = None
    ) -> Moment:
        return Moment(self.policy, policy=policy, today=today, four_eyes=four_eyes)

    # --- checks ---------------------------------------------------------------------------------

    def begin(self, actor: Any, case_id: int, action: str, now: Moment | None = None) -> Any:
        """Load the case in the caller's scope (404) and check the action (403, 409); return the case."""
        case = self.load(actor, case_id)
        self.check(actor, case, action, now)
        return case

    def check(self, actor: Any, case: Any, action: str, now: Moment | None = None) -> Step:
        """Role, level and four eyes (403), then state and the case guards (409); return the step."""
        now = now or self.moment()
        step = self.table.by_action.get(action)
        if step is None or actor.role not in step.roles:
            raise Forbidden(self.role_refusal(actor, action, step))
        for refusal in self.refusals:
            reason = refusal(actor, case, step, now)
            if reason is not None:
                raise Forbidden(reason)
        if case.state not in step.sources:
            raise self._conflict(actor, case, self.state_refusal(case, action), now)
        for guard in self.guards.get(action, ()):
            reason = guard(actor, case, now)
            if reason is not None:
                raise self._conflict(actor, case, reason, now)
        return step

    def allowed_actions(self, actor: Any, case: Any, now: Moment | None = None) -> list[str]:
        """The actions the caller may take on the case now; none outside the caller's scope."""
        if actor is None or not self.sees(actor, case):
            return []
        now = now or self.moment()
        return [a for a in self.table.allowed_for(case.state, actor.role) if self._open(actor, case, a, now)]

    def may(self, actor: Any, case: Any, action: str, now: Moment | None = None) -> bool:
        """Whether the caller may take this one action now (only its own guards run)."""
        return action in self.table.allowed_for(case.state, actor.role) and self._open(
            actor, case, action, now or self.moment()
        )

    def _open(self, actor: Any, case: Any, action: str, now: Moment) -> bool:
        step = self.table.step(action)
        return all(r(actor, case, step, now) is None for r in self.refusals) and all(
            g(actor, case, now) is None for g in self.guards.get(action, ())
        )

    def _conflict(self, actor: Any, case: Any, message: Msg, now: Moment | None = None) -> Conflict:
        return Conflict(message, allowed_actions=self.allowed_actions(actor, case, now), state=case.state)

    # --- the stage deadline (限时办结) ------------------------------------------------------------

    def stage(
        self,
        stage: str | None,
        start: date,
        *,
        base: date | None = None,
        policy: Policy | None = None,
        calendar: WorkCalendar | None = None,
    ) -> dict[str, Any]:
        """The deadline columns of a stage starting on ``start``, counted in working days from ``base``.

        ``stage`` None: the case waits on no one (no due date).
        """
        days = (policy or self.policy()).deadline_days(self.name, stage) if stage is not None else None
        if days is None:
            started = start if stage is not None or self.keeps_stage_start else None
            return {
                "stage_started_on": started,
                "stage_days": None,
                "stage_due_on": None,
                "stage_due_provisional": False,
            }
        due = (calendar or self.calendar()).add_working_days(base or start, days)
        return {
            "stage_started_on": start,
            "stage_days": days,
            "stage_due_on": due.date,
            "stage_due_provisional": due.provisional,
        }

    # --- the move ---------------------------------------------------------------------------------

    def move(
        self,
        actor: Any,
        case: Any,
        action: str,
        *,
        dest: str | None = None,
        changes: dict[str, Any] | None = None,
        reason: str = "",
        audit_before: dict[str, Any] | None = None,
        audit_extra: dict[str, Any] | None = None,
        policy: Policy | None = None,
    ) -> str:
        """Fire ``action`` through the state table and write it: guarded UPDATE + audit event, no commit;
        then ``signals.case_moved`` tells whoever listens (supervision: a press is answered by a move).

        ``changes`` are further columns of the case; when the state changes the new state's
        stage deadline is set (cleared when it waits on no one), unless ``changes`` sets it. A
        lost race (someone moved the case first) rolls the transaction back and is a 409 with
        the state the case is in now and what ``actor`` may still do.
        """
        old_state, old_version = case.state, case.version
        new_state = self.table.outcome(old_state, action, dest)
        values = dict(changes or {})
        if new_state != old_state and "stage_due_on" not in values:
            values.update(self.stage(self.waiting_stages.get(new_state), clock.today(), policy=policy))
        values.update(state=new_state, version=old_version + 1, updated_at=clock.now())
        result = db.session.connection().execute(
            self._guarded_update, {**values, "g_id": case.id, "g_state": old_state, "g_version": old_version}
        )
        if result.rowcount != 1:
            db.session.rollback()
            db.session.refresh(case)
            raise self._conflict(actor, case, self.lost_race)
        self._written(case, values)
        after = {"state": new_state}
        if self.audit_columns:
            after = {k: v for k, v in values.items() if k not in _BOOKKEEPING}
        self.record(
            actor,
            f"{self.name}.{action}",
            self.name,
            case.id,
            chain=self.chain(case),
            before={"state": old_state, **(audit_before or {})},
            after={**after, **(audit_extra or {})},
            reason=reason,
        )
        signals.case_moved.send(
            self.name, case=case, action=action, actor=actor, before=old_state, after=new_state
        )
        return new_state

    def _written(self, case: Any, values: dict[str, Any]) -> None:
        """The row as written, without reading it back; a relationship whose key changed is reloaded."""
        for key, value in values.items():
            set_committed_value(case, key, value)
        uow.written_as_stored(case)
        stale = [
            r.key for r in inspect(self.model).relationships if any(c.key in values for c in r.local_columns)
        ]
        if stale:
            db.session.expire(case, stale)
