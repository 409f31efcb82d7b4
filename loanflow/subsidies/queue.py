"""The subsidies' section of the work queue: what waits for an approver (verify, publicize, approve, pay)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core.domain.labels import label
from loanflow.policy.services import current_policy
from loanflow.subsidies.services import list_cases
from loanflow.subsidies.workflow import allowed_actions
from loanflow.web import queue as web_queue
from loanflow.web.present import lang
from loanflow.web.queue import by_urgency, queue_row

POSITION = 30
SUBSIDY_QUEUE_STATES = {"approver": ("applied", "verified", "publicized", "approved")}
SUBSIDY_QUEUE_ACTIONS = ("verify", "publicize", "approve", "disburse")


def subsidies_waiting(user: User, today: date) -> list[dict]:
    """Subsidy cases waiting for this user's action (verify, publicize, approve, pay out)."""
    states = SUBSIDY_QUEUE_STATES.get(user.role, ())
    if not states:
        return []
    cal, policy, rows = work_calendar(), current_policy(), []
    for state in states:
        cases = list_cases(user, state=state, per_page=web_queue.QUEUE_LIMIT)[0]
        allowed = [(c, a) for c in cases for a in allowed_actions(user, c, policy, today)]
        for c, a in [(c, a) for c, a in allowed if a in SUBSIDY_QUEUE_ACTIONS][: web_queue.QUEUE_LIMIT]:
            who = c.household.head.name if c.household and c.household.head else ""
            stage = label("subsidy_action", a, lang())
            rows.append(queue_row("web.subsidy", c, c.case_number, who, stage, cal, today))
    return sorted(rows, key=by_urgency)


def queue_section(user: User, *, today: date, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the subsidy cases waiting for this user."""
    return POSITION, lazy_gettext("Subsidies waiting for you"), subsidies_waiting(user, today)
