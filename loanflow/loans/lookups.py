"""Read-only lookups the loan page needs beside the service's answer (position, reversible repayments)."""

from __future__ import annotations

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.core.domain.workflows import LOAN
from loanflow.core.regions import Branch
from loanflow.extensions import db
from loanflow.loans.claims import can_see_claims
from loanflow.loans.domain.ledger_types import Position
from loanflow.loans.guards import actor_of, four_eyes_reason
from loanflow.loans.models import Loan, Repayment
from loanflow.loans.services.position import position_of, repayments_of
from loanflow.loans.workflow import LOANS, allowed_actions
from loanflow.policy.services import current_policy


def loan_position(loan: Loan) -> Position | None:
    """Due now and payoff as of the business date; none before disbursement."""
    if loan.disbursed_on is None:
        return None
    return position_of(loan)


def reversible_repayments(user: User, loan: Loan) -> list[Repayment]:
    """Live repayments this user may reverse: four eyes is per repayment (the service refuses the
    recorder with 403), so the form offers only the others' ones."""
    four_eyes = current_policy().four_eyes
    return [
        r
        for r in repayments_of(loan.id)
        if not r.is_reversed and not (four_eyes and r.recorded_by_id == user.id)
    ]


def household_facts(loan: Loan) -> dict:
    """What the officer rates on (评级): household size, workers, income, the household's other loans."""
    h = loan.household
    members = list(h.members)
    earlier = db.session.scalars(
        select(Loan).where(Loan.household_id == h.id, Loan.id != loan.id).order_by(Loan.applied_on)
    ).all()
    return {
        "size": len(members),
        "workers": sum(1 for m in members if m.labour in ("skilled", "normal")),
        "weak_workers": sum(1 for m in members if m.labour == "weak"),
        "income_per_head": h.income_per_head,
        "income": h.income_per_head * len(members),
        "earlier": earlier,
    }


def grade_table() -> list[dict]:
    """The policy's grades, highest first, as the rating form's script reads them."""
    return [
        {"grade": g.grade, "min": g.min_score, "label": g.label, "limit": str(g.limit)}
        for g in current_policy().grades()
    ]


def others_may(user: User, loan: Loan) -> list[dict]:
    """The steps open on the loan now that this user may not take: who may, and why.

    Four eyes names the person who may not (授信人 …) and asks for another officer; a step of
    another role names the role. Steps a guard closes (nothing owed …) are not offered to anyone.
    """
    now = LOANS.moment()
    mine = set(allowed_actions(user, loan))
    out = []
    for step in LOAN.steps:
        if step.creates or loan.state not in step.sources or step.action in mine or "system" in step.roles:
            continue
        if any(g(user, loan, now) is not None for g in LOANS.guards.get(step.action, ())):
            continue
        if user.role in step.roles:
            why = four_eyes_reason(user, loan, step.action, now.four_eyes)
            if why is None:
                continue
            earlier = actor_of(loan, step.not_by_actor_of or "")
            person = db.session.get(User, earlier) if earlier else None
            out.append({"action": step.action, "roles": sorted(step.roles), "why": why, "not_by": person})
        else:
            out.append({"action": step.action, "roles": sorted(step.roles), "why": None, "not_by": None})
    return out


def claim_branches(user: User) -> list:
    """The branches whose 贴息 claim list the user may read (their own; a county's for its staff)."""
    rows = db.session.scalars(select(Branch).order_by(Branch.county_code, Branch.name))
    return [b for b in rows if can_see_claims(user, b)]


def recent_quarters(today, count: int = 8) -> list[str]:
    """The quarter of ``today`` and the ones before it, newest first (``2026Q4`` …)."""
    year, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(count):
        out.append(f"{year}Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out
