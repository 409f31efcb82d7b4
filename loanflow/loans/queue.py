"""The loans' section of the work queue: what waits for a bank officer (rate, credit, disburse, extend)
and for a county approver (a compensation claim on the fund)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import or_, select

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core.domain.labels import label
from loanflow.core.paging import first_kept
from loanflow.core.scope import sees_village, village_filter
from loanflow.extensions import db
from loanflow.loans.guards import level_allows
from loanflow.loans.models import Loan
from loanflow.loans.services.queries import may
from loanflow.policy.services import current_policy
from loanflow.web.present import lang
from loanflow.web.queue import queue_row

POSITION = 20
# Which states hold cases that wait on a role, and the actions that move them on (DOMAIN.md tables).
LOAN_QUEUE_ACTIONS = {
    "bank_officer": ("rate", "credit", "disburse", "extend"),
    "approver": ("approve-compensation",),
}
LOAN_WAITING_ACTION = {
    "applied": "rate",
    "rated": "credit",
    "credited": "disburse",
    "disbursed": "extend",
    "compensation_claimed": "approve-compensation",
}


def _loans_waiting_stmt(user: User, four_eyes: bool):
    """The officer's waiting loans, most urgent first (to be cut after ordering): new applications to
    rate, ratings to credit, credits to disburse (not one's own under four eyes), pending
    extension requests. Filtered in SQL, so no ledger is replayed to find them; the partial index
    ``ix_loan_waiting`` holds exactly the loans that may wait on an officer, in this order, so the
    database reads the first rows and stops (it read all 401k disbursed loans at 1M)."""
    credited = Loan.state == "credited"
    if four_eyes:
        credited = credited & (Loan.credited_by_id != user.id)
    waiting = or_(
        Loan.state.in_(("applied", "rated")),
        credited,
        (Loan.state == "disbursed") & Loan.extension_requested_months.is_not(None),
    )
    if user.role == "approver":
        waiting = Loan.state == "compensation_claimed"
    return (
        select(Loan)
        .where(village_filter(user, Loan.village_code), waiting)
        .order_by(Loan.stage_due_on.asc().nulls_last(), Loan.case_number)  # ix_loan_waiting's order
    )


def loans_waiting(user: User, today: date, limit: int) -> list[dict]:
    """The first ``limit`` loans waiting for this user's action (rate, credit, disburse, decide an
    extension, decide a claim), most urgent first.

    ``may`` (the engine's rule) judges each loan after SQL. The SQL states the same conditions (four
    eyes, a pending request; a township approver, who decides no claim, reads none), so today it drops
    none; ``first_kept`` reads on past any it ever drops, so "more" on the home is never wrong.
    """
    actions = [a for a in LOAN_QUEUE_ACTIONS.get(user.role, ()) if level_allows(user, a)]
    if not actions:
        return []
    cal, four_eyes = work_calendar(), current_policy().four_eyes

    def rows(loans: list[Loan]) -> list[dict]:
        kept = []
        for c in loans:
            action = LOAN_WAITING_ACTION[c.state]
            if action in actions and may(user, c, action, four_eyes):
                stage = label("loan_action", action, lang())
                kept.append(queue_row("web.loan", c, c.case_number, c.borrower_name, stage, cal, today))
        return kept

    return first_kept(_loans_waiting_stmt(user, four_eyes), limit, rows)


def queue_section(user: User, *, today: date, limit: int, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the loans waiting for this user."""
    return POSITION, lazy_gettext("Loans waiting for you"), loans_waiting(user, today, limit)


def cases_by_number(user: User, number: str = "", **_kwargs: Any) -> list[tuple]:
    """``cases_by_number``: the loan with this case number (a unique, indexed column), in the user's region."""
    if not number.startswith("DK-"):
        return []
    stmt = select(Loan.case_number, Loan.household_id, Loan.id).where(
        Loan.case_number == number, village_filter(user, Loan.village_code)
    )
    return [
        (POSITION, n, household_id, "web.loan", loan_id)
        for n, household_id, loan_id in db.session.execute(stmt)
    ]


# --- the clerk's home: their open loans waiting on someone else, loans needing the household -----------

# state → (the role it waits on, what that role does next)
CLERK_WAITS_ON = {
    "applied": ("bank_officer", "rate"),
    "rated": ("bank_officer", "credit"),
    "credited": ("bank_officer", "disburse"),
    "compensation_claimed": ("approver", "approve-compensation"),
}
MATURITY_NOTICE_DAYS = 30  # a loan maturing within this many days is shown for an extension request


def waiting_on(role: str, action: str) -> str:
    """'信贷员：评级': who the case waits on and what they do next."""
    sep = "：" if lang() == "zh" else ": "
    return f"{label('role', role, lang())}{sep}{label('loan_action', action, lang())}"


def clerk_loans_waiting(user: User, today: date, limit: int) -> list[dict]:
    """The loans this clerk filed that wait on a bank officer or an approver, with their deadline.

    Read through ``ix_loan_clerk_waiting`` in the home's order, first rows only. The region check is
    made on the rows read (``sees_village``: a clerk moved to another township no longer sees the
    loans filed in the old one) rather than in SQL: with the village range in the statement the
    planner took the clerk's loans and the township's for independent, expected 60 rows where there
    were 1,800, and read and sorted them all (8 ms at a million loans, 0.2 ms in the index's order)."""
    if user.role != "clerk":
        return []
    pending_extension = (Loan.state == "disbursed") & Loan.extension_requested_months.is_not(None)
    stmt = (
        select(Loan)
        .where(Loan.applied_by_id == user.id, or_(Loan.state.in_(tuple(CLERK_WAITS_ON)), pending_extension))
        .order_by(Loan.stage_due_on.asc().nulls_last(), Loan.case_number)  # ix_loan_clerk_waiting's order
    )
    cal = work_calendar()

    def rows(loans: list[Loan]) -> list[dict]:
        return [
            queue_row(
                "web.loan",
                c,
                c.case_number,
                c.borrower_name,
                waiting_on(*CLERK_WAITS_ON.get(c.state, ("bank_officer", "extend"))),
                cal,
                today,
            )
            for c in loans
            if sees_village(user, c.village_code)
        ]

    return first_kept(stmt, limit, rows)


def extensions_to_file(user: User, today: date, limit: int) -> list[dict]:
    """Disbursed loans of the clerk's region maturing within a month, with no extension asked or used:
    the household may still ask for one, before maturity (DOMAIN.md, Extension)."""
    if user.role != "clerk":
        return []
    stmt = (
        select(Loan)
        .where(
            village_filter(user, Loan.village_code),
            Loan.state == "disbursed",
            Loan.extension_requested_months.is_(None),
            Loan.extended_maturity_on.is_(None),
            Loan.maturity_on > today,
            Loan.maturity_on <= today + timedelta(days=MATURITY_NOTICE_DAYS),
        )
        .order_by(Loan.maturity_on, Loan.case_number)
        .limit(limit)
    )
    cal, rows = work_calendar(), []
    for c in db.session.scalars(stmt):
        stage = gettext("Extension to file before maturity")
        row = queue_row("web.loan", c, c.case_number, c.borrower_name, stage, cal, today)
        rows.append({**row, "due": c.maturity_on, "provisional": False, "over": 0})
    return rows


def clerk_waiting_section(user: User, *, today: date, limit: int, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: the clerk's open loans waiting on others (who, and by when)."""
    return POSITION + 1, lazy_gettext("My loans waiting on others"), clerk_loans_waiting(user, today, limit)


def clerk_household_section(user: User, *, today: date, limit: int, **_kwargs: Any) -> tuple:
    """``work_queue_sections``: loans needing the household (an extension to file before maturity)."""
    return POSITION + 2, lazy_gettext("Loans needing the household"), extensions_to_file(user, today, limit)
