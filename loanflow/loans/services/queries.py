"""Reading loans: who sees which, one loan, the filtered list, the actions open to a caller now.

Scope (404 outside it): clerks, approvers and supervisors see the loans of
their region node and below; bank officers see the loans of the townships
their branch serves. ``allowed_actions`` answers from the state table, the
caller's role, four eyes, and the case guards registered per action in
``ACTION_GUARDS`` (the money actions add theirs there).

The county fund's leverage counts every commitment: principal lent and not
repaid, and credit granted and not yet disbursed. ``lock_fund`` serialises the
check per county (see its docstring).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from loanflow.accounts.models import User
from loanflow.core import clock
from loanflow.core.domain.money import format_money
from loanflow.core.domain.policy import Policy
from loanflow.core.domain.reasons import Reason
from loanflow.core.domain.workflows import LOAN
from loanflow.core.errors import Msg, NotFound, msg
from loanflow.core.regions import Region
from loanflow.core.scope import sees_village, village_filter
from loanflow.extensions import db
from loanflow.loans.domain.eligibility import FundFacts
from loanflow.loans.models import FundEntry, Loan, Repayment

# A case guard answers None when the action may go ahead, else the message why not (409).
Guard = Callable[[User, Loan], Any]
ACTION_GUARDS: dict[str, list[Guard]] = {}

# The stage whose deadline runs while the loan waits in a state (DOMAIN.md "Deadlines").
WAITING_STAGES = {"applied": "applied", "rated": "rated", "credited": "credited"}
LENT_STATES = ("disbursed", "overdue", "recalled")
LEVERAGE_CODE = "fund.leverage_exceeded"


def register_guard(action: str, guard: Guard | None = None):
    """Add a case guard for ``action``; also a decorator: ``@register_guard("extend")``."""
    if guard is None:
        return lambda fn: register_guard(action, fn)
    ACTION_GUARDS.setdefault(action, []).append(guard)
    return guard


def can_see_loan(user: User, loan: Loan) -> bool:
    return sees_village(user, loan.village_code)


def load_loan(actor: User, loan_id: int) -> Loan:
    """The loan if the caller may see it; 404 otherwise (outside the region looks like absent)."""
    loan = db.session.get(Loan, loan_id)
    if loan is None or not can_see_loan(actor, loan):
        raise NotFound(msg(f"贷款 {loan_id} 不存在", f"Loan {loan_id} not found"))
    return loan


get_loan = load_loan


def actor_of(loan: Loan, action: str) -> int | None:
    """Who took an earlier action on the loan (for four eyes)."""
    return {
        "apply": loan.applied_by_id,
        "rate": loan.rated_by_id,
        "credit": loan.credited_by_id,
        "disburse": loan.disbursed_by_id,
        "request-extension": loan.extension_requested_by_id,
    }.get(action)


def four_eyes_reason(user: User, loan: Loan, action: str, four_eyes: bool = True) -> Msg | None:
    """四眼原则: who credited the loan may not disburse it; who recorded a repayment may not reverse it."""
    step = LOAN.by_action.get(action)
    if not four_eyes or step is None or step.not_by_actor_of is None:
        return None
    if step.not_by_actor_of == "repay":
        return _reversal_four_eyes(user, loan)
    if actor_of(loan, step.not_by_actor_of) != user.id:
        return None
    return msg(
        "四眼原则：授信人不得办理同一笔贷款的放款，须由另一名信贷员办理",
        "Four eyes: the officer who credited the loan may not disburse it; another officer must",
        "four_eyes",
    )


def _reversal_four_eyes(user: User, loan: Loan) -> Msg | None:
    """Refused when every live repayment was recorded by the caller (none live: the guard's 409)."""
    recorders = set(
        db.session.scalars(
            select(Repayment.recorded_by_id)
            .where(Repayment.loan_id == loan.id, Repayment.reversed_at.is_(None))
            .distinct()
        )
    )
    if not recorders or recorders != {user.id}:
        return None
    return msg(
        "四眼原则：录入还款的信贷员不得冲正，须由另一名信贷员办理",
        "Four eyes: the officer who recorded the repayments may not reverse them; another officer must",
        "four_eyes",
    )


def guard_reason(user: User, loan: Loan, action: str) -> Any:
    """The first registered case guard refusing the action now, else None."""
    for guard in ACTION_GUARDS.get(action, ()):
        reason = guard(user, loan)
        if reason is not None:
            return reason
    return None


def allowed_actions(user: User, loan: Loan, four_eyes: bool | None = None) -> list[str]:
    """The actions the caller may take on the loan now (state, role, four eyes, case guards)."""
    if four_eyes is None:
        from loanflow.policy.services import current_policy

        four_eyes = current_policy().four_eyes
    if not can_see_loan(user, loan):
        return []
    return [a for a in LOAN.allowed_for(loan.state, user.role) if may(user, loan, a, four_eyes)]


def may(user: User, loan: Loan, action: str, four_eyes: bool) -> bool:
    """Whether the caller may take this one action now (only its own guards run)."""
    return (
        action in LOAN.allowed_for(loan.state, user.role)
        and four_eyes_reason(user, loan, action, four_eyes) is None
        and guard_reason(user, loan, action) is None
    )


def is_stalled(loan: Loan, today: date | None = None) -> bool:
    """Past the deadline of the stage it waits in (超期)."""
    return loan.stage_due_on is not None and loan.stage_due_on < (today or clock.today())


def list_loans(
    actor: User,
    *,
    state: str | None = None,
    village: str | None = None,
    household_id: int | None = None,
    overdue: bool | None = None,
    stalled: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Loan], int]:
    """The loans the caller may see, newest first, filtered and paged."""
    conds = [village_filter(actor, Loan.village_code)]
    if state:
        conds.append(Loan.state == state)
    if village:
        conds.append(Loan.village_code.like(village + "%"))
    if household_id is not None:
        conds.append(Loan.household_id == household_id)
    if overdue is not None:
        conds.append(Loan.state == "overdue" if overdue else Loan.state != "overdue")
    if stalled is not None:
        late = Loan.stage_due_on < clock.today()
        conds.append(late if stalled else (Loan.stage_due_on.is_(None) | ~late))
    total = db.session.scalar(select(func.count(Loan.id)).where(*conds)) or 0
    rows = db.session.scalars(
        select(Loan).where(*conds).order_by(Loan.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total


def fund_balance(county_code: str) -> Decimal:
    """The county fund's balance: deposits and recoveries less payouts (风险补偿金余额)."""
    rows = db.session.execute(
        select(FundEntry.kind, func.sum(FundEntry.amount))
        .where(FundEntry.county_code == county_code)
        .group_by(FundEntry.kind)
    )
    zero = Decimal("0.00")
    sums = {kind: total or zero for kind, total in rows}  # SUM keeps the Money type: yuan
    return sums.get("deposit", zero) + sums.get("recovery", zero) - sums.get("payout", zero)


def outstanding_principal(county_code: str, excluding: int | None = None) -> Decimal:
    """Principal lent and not yet repaid on the county's disbursed, overdue and recalled loans.

    The money services keep ``principal_outstanding`` after each repayment; until
    the first one it is the credited amount.
    """
    return _principal(county_code, LENT_STATES, excluding)


def credited_principal(county_code: str, excluding: int | None = None) -> Decimal:
    """Credit granted and not yet disbursed (授信未放款): the fund backs it already."""
    return _principal(county_code, ("credited",), excluding)


def _principal(county_code: str, states: tuple[str, ...], excluding: int | None) -> Decimal:
    stmt = select(func.sum(func.coalesce(Loan.principal_outstanding, Loan.credited_amount))).where(
        Loan.village_code.like(county_code + "%"), Loan.state.in_(states), Loan.id != (excluding or 0)
    )
    return db.session.scalar(stmt) or Decimal("0.00")


def fund_facts(county_code: str, excluding: int | None = None) -> FundFacts:
    """The balance, and every commitment against it: lent and not repaid, credited and not disbursed."""
    committed = outstanding_principal(county_code, excluding) + credited_principal(county_code, excluding)
    return FundFacts(balance=fund_balance(county_code), outstanding_principal=committed)


def lock_fund(county_code: str) -> None:
    """Take the county's fund lock until the commit, before reading the sums of a leverage check.

    A no-op UPDATE of the county's region row: a row lock on PostgreSQL, so a
    second check of the county waits for the first one's commit and then reads
    its credit (READ COMMITTED reads afresh per statement); on SQLite a writing
    transaction holds the database's write lock from its BEGIN IMMEDIATE already.
    """
    region = Region.__table__
    db.session.execute(
        update(region)
        .where(region.c.code == county_code)
        .values(level=region.c.level)
        .returning(region.c.code)
    ).all()


def leverage_reason(
    county_code: str, amount: Decimal, policy: Policy, excluding: int | None = None
) -> Reason | None:
    """Why ``amount`` more would pass ``fund_leverage`` × the balance, with every figure; None if it fits."""
    leverage = int(policy.loan["fund_leverage"])
    balance = fund_balance(county_code)
    lent = outstanding_principal(county_code, excluding)
    credited = credited_principal(county_code, excluding)
    ceiling, total = balance * leverage, lent + credited + amount
    if total <= ceiling:
        return None
    b, c, lt, cr, a, t = (format_money(x) for x in (balance, ceiling, lent, credited, amount, total))
    return Reason(
        LEVERAGE_CODE,
        f"县风险补偿金余额 {b} 元，按 {leverage} 倍放大可贷 {c} 元；在贷本金 {lt} 元、"
        f"已授信未放款 {cr} 元，加本笔 {a} 元共 {t} 元，超过上限",
        f"The county fund holds {b} yuan, allowing {c} yuan at {leverage} times; outstanding principal "
        f"{lt} yuan and credit not yet disbursed {cr} yuan plus this {a} yuan makes {t} yuan, "
        "above that limit",
    )
