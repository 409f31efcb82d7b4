"""The work queue (待办): the cases waiting for this user's action, by role.

Each section is (title, rows); a row is a dict with the case link, who it is
for, the stage's deadline and how many working days it is over. Sections come
from the case areas whose services are installed.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import or_, select

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core import clock
from loanflow.core.domain.labels import label
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.households.models import AccountChange, Household
from loanflow.loans.models import Loan
from loanflow.policy.services import current_policy
from loanflow.web.present import lang

QUEUE_LIMIT = 200
# Which states hold cases that wait on a role, and the actions that move them on (DOMAIN.md tables).
LOAN_QUEUE_ACTIONS = {"bank_officer": ("rate", "credit", "disburse", "extend")}
LOAN_WAITING_ACTION = {"applied": "rate", "rated": "credit", "credited": "disburse", "disbursed": "extend"}
SUBSIDY_QUEUE_STATES = {"approver": ("applied", "verified", "publicized", "approved")}
SUBSIDY_QUEUE_ACTIONS = ("verify", "publicize", "approve", "disburse")


def account_changes_to_confirm(user: User) -> list[dict]:
    """Bank-account changes of the user's region that someone else asked for."""
    if user.role not in ("clerk", "approver"):
        return []
    stmt = (
        select(AccountChange)
        .join(Household)
        .where(
            AccountChange.state == "pending",
            AccountChange.requested_by_id != user.id,
            village_filter(user, Household.village_code),
        )
        .order_by(AccountChange.requested_at)
    )
    return [
        {
            "endpoint": "web.household",
            "args": {"household_id": c.household_id},
            "case": f"#{c.household_id}",
            "who": c.household.head.name if c.household.head else "",
            "stage": lazy_gettext("Bank account change"),
            "due": None,
            "over": 0,
        }
        for c in db.session.scalars(stmt)
    ]


def _row(endpoint: str, case, number: str, who: str, stage: str, cal, today: date) -> dict:
    due = case.stage_due_on
    over = cal.working_days_between(due, today).days if due is not None and due < today else 0
    return {
        "endpoint": endpoint,
        "args": {"case_id": case.id},
        "case": number,
        "who": who,
        "stage": stage,
        "due": due,
        "provisional": case.stage_due_provisional,
        "over": over,
    }


def _waiting(cases, allowed, actions: tuple[str, ...]) -> list:
    """The cases on which the user may take one of ``actions`` now."""
    return [(c, a) for c in cases for a in allowed(c) if a in actions][:QUEUE_LIMIT]


def _loans_waiting_stmt(user: User, four_eyes: bool):
    """The officer's waiting loans, most urgent first and cut after ordering: new applications to
    rate, ratings to credit, credits to disburse (not one's own under four eyes), pending
    extension requests. Filtered in SQL, so no ledger is replayed to find them."""
    credited = Loan.state == "credited"
    if four_eyes:
        credited = credited & (Loan.credited_by_id != user.id)
    waiting = or_(
        Loan.state.in_(("applied", "rated")),
        credited,
        (Loan.state == "disbursed") & Loan.extension_requested_months.is_not(None),
    )
    return (
        select(Loan)
        .where(village_filter(user, Loan.village_code), waiting)
        .order_by(Loan.stage_due_on.is_(None), Loan.stage_due_on, Loan.case_number)
        .limit(QUEUE_LIMIT)
    )


def loans_waiting(user: User, cal, today: date) -> list[dict]:
    """Loans waiting for this user's action (rate, credit, disburse, decide an extension)."""
    from loanflow.loans.services.queries import may

    actions = LOAN_QUEUE_ACTIONS.get(user.role, ())
    if not actions:
        return []
    four_eyes = current_policy().four_eyes
    rows = []
    for c in db.session.scalars(_loans_waiting_stmt(user, four_eyes)):
        action = LOAN_WAITING_ACTION[c.state]
        if action in actions and may(user, c, action, four_eyes):
            rows.append(
                _row(
                    "web.loan",
                    c,
                    c.case_number,
                    c.borrower_name,
                    label("loan_action", action, lang()),
                    cal,
                    today,
                )
            )
    return sorted(rows, key=_urgency)


def subsidies_waiting(user: User, cal, today: date) -> list[dict]:
    """Subsidy cases waiting for this user's action (verify, publicize, approve, pay out)."""
    from loanflow.subsidies.services import list_cases
    from loanflow.subsidies.workflow import allowed_actions

    policy, rows = current_policy(), []
    for state in SUBSIDY_QUEUE_STATES.get(user.role, ()):
        cases = list_cases(user, state=state, per_page=QUEUE_LIMIT)[0]
        for c, a in _waiting(cases, lambda c: allowed_actions(user, c, policy, today), SUBSIDY_QUEUE_ACTIONS):
            who = c.household.head.name if c.household and c.household.head else ""
            rows.append(
                _row("web.subsidy", c, f"#{c.id}", who, label("subsidy_action", a, lang()), cal, today)
            )
    return sorted(rows, key=_urgency)


def _urgency(row: dict):
    return (row["due"] is None, row["due"] or date.max, row["case"])


def work_queue(user: User) -> list[tuple[str, list[dict]]]:
    """The sections of the user's queue, each with its rows, most urgent first."""
    cal, today = work_calendar(), clock.today()
    sections = [(lazy_gettext("Bank account changes to confirm"), account_changes_to_confirm(user))]
    if "web.loan" in current_app.view_functions:
        sections.append((lazy_gettext("Loans waiting for you"), loans_waiting(user, cal, today)))
    if "web.subsidy" in current_app.view_functions:
        sections.append((lazy_gettext("Subsidies waiting for you"), subsidies_waiting(user, cal, today)))
    return [(str(title), rows) for title, rows in sections if rows]
