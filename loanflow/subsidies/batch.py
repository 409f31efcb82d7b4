"""One 公示 list's cases approved or paid in one step (批量审批 / 批量发放).

Each case is still its own move through the engine (its guards, its guarded UPDATE, its audit
event), inside a savepoint of its own: a case refused (four eyes, a 公示 not over, another approver
first) is rolled back alone and reported; the others stand and commit with the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loanflow.accounts.models import User
from loanflow.core.domain.workflows import SUBSIDY
from loanflow.core.errors import Forbidden, ServiceError, msg
from loanflow.extensions import db
from loanflow.subsidies import services
from loanflow.subsidies.models import SubsidyCase
from loanflow.subsidies.publicity import get_publicity

BATCH_ACTIONS = {"approve": "publicized", "disburse": "approved"}


@dataclass(frozen=True)
class Outcome:
    case_id: int
    case_number: str
    head_name: str
    done: bool
    message: Any = None  # the refusal (a ``Msg``) when not done


def batch_candidates(actor: User, publicity_id: int, action: str) -> list[SubsidyCase]:
    """The cases still on the list that wait for ``action`` (publicized for approval, approved for payment)."""
    p = get_publicity(actor, publicity_id)
    ids = [e.case_id for e in p.entries if e.removed_on is None]
    if not ids:
        return []
    cases = db.session.query(SubsidyCase).filter(SubsidyCase.id.in_(ids)).order_by(SubsidyCase.id)
    return [c for c in cases if c.state == BATCH_ACTIONS[action]]


def may_batch(actor: User, publicity_id: int, action: str) -> None:
    """404 unless the caller sees the list, 403 unless their role takes ``action`` (before any input)."""
    if action not in BATCH_ACTIONS:
        raise ValueError(action)
    get_publicity(actor, publicity_id)
    if actor.role not in SUBSIDY.by_action[action].roles:
        raise Forbidden(msg("只有审核员可以审批或发放奖补", "Only an approver may approve or pay subsidies"))


def run_batch(actor: User, publicity_id: int, action: str, data: dict | None = None) -> list[Outcome]:
    """Take ``action`` on every waiting case of the list, each in its own savepoint; one outcome per case."""
    may_batch(actor, publicity_id, action)
    outcomes = []
    for case in batch_candidates(actor, publicity_id, action):
        number, name = case.case_number, case.household.head.name if case.household.head else ""
        try:
            with db.session.begin_nested():
                if action == "approve":
                    services.approve_case(actor, case.id)
                else:
                    services.disburse_case(actor, case.id, data or {})
        except ServiceError as e:
            outcomes.append(Outcome(case.id, number, name, False, e.message))
            continue
        outcomes.append(Outcome(case.id, number, name, True))
    return outcomes
