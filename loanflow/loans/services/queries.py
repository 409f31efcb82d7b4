"""Reading loans: who sees which, one loan, the filtered list, the actions open to a caller now.

Scope (404 outside it): clerks, approvers and supervisors see the loans of
their region node and below; bank officers see the loans of the townships
their branch serves (``loans.guards.load_loan``). ``allowed_actions`` and
``may`` are the loan engine's (``loans.workflow``): the state table, the
caller's role, four eyes and the case guards declared beside the table.

The county fund's leverage counts every commitment: principal lent and not
repaid, and credit granted and not yet disbursed. ``lock_fund`` serialises the
check per county (see its docstring).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Select, func, select, update

from loanflow.accounts.models import User
from loanflow.core import clock, paging
from loanflow.core.domain.money import format_money
from loanflow.core.domain.policy import Policy
from loanflow.core.domain.reasons import Reason
from loanflow.core.paging import Count, count_rows, count_statement
from loanflow.core.regions import Region
from loanflow.core.scope import code_prefix, scope_filter, scope_key
from loanflow.core.sorting import sort_order
from loanflow.extensions import db
from loanflow.loans.domain.eligibility import FundFacts
from loanflow.loans.guards import load_loan
from loanflow.loans.models import FundEntry, Loan
from loanflow.loans.workflow import allowed_actions, may

__all__ = [
    "LENT_STATES",
    "LEVERAGE_CODE",
    "allowed_actions",
    "credited_principal",
    "fund_balance",
    "fund_facts",
    "get_loan",
    "is_stalled",
    "leverage_reason",
    "list_loans",
    "load_loan",
    "lock_fund",
    "may",
    "outstanding_principal",
]

LENT_STATES = ("disbursed", "overdue", "recalled", "compensation_claimed")  # the fund backs them
LEVERAGE_CODE = "fund.leverage_exceeded"

get_loan = load_loan


def is_stalled(loan: Loan, today: date | None = None) -> bool:
    """Past the deadline of the stage it waits in (超期)."""
    return loan.stage_due_on is not None and loan.stage_due_on < (today or clock.today())


LOAN_SORTS = {
    "number": Loan.id,
    "borrower": Loan.borrower_name,
    "state": Loan.state,
    "amount": func.coalesce(Loan.credited_amount, Loan.requested_amount),
    "due": Loan.stage_due_on,
}


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
    sort: str | None = None,
) -> tuple[list[Loan], Count]:
    """The loans the caller may see, newest first (or by ``sort``, a key of ``LOAN_SORTS``, ``-`` for
    descending), filtered and paged; the count stops past 1,000 more than the page (``core.paging``)."""
    known_sort = sort if (sort or "").lstrip("-") in LOAN_SORTS else None  # an unknown key sorts as none
    build = _list_statements.__wrapped__ if household_id is not None else _list_statements
    counting, listing = build(  # one household's loans (its page) are asked once: not kept
        scope_key(actor),
        state,
        village,
        household_id,
        overdue,
        stalled,
        clock.today() if stalled is not None else None,
        page,
        per_page,
        known_sort,
        paging.COUNT_CAP,
    )
    total = count_rows(counting)
    return list(db.session.scalars(listing)), total


@lru_cache(maxsize=512)
def _list_statements(
    scope: tuple[str, ...],
    state: str | None,
    village: str | None,
    household_id: int | None,
    overdue: bool | None,
    stalled: bool | None,
    today: date | None,
    page: int,
    per_page: int,
    sort: str | None,
    cap: int,
) -> tuple[Select, Select]:
    """The list's count and page, built once per process for each scope and filters: building them
    and their cache keys cost 0.3 ms of Python a request, 6 % of a list's (issue 14). A statement
    holds no user, only the scope's codes (``core.scope.scope_key``), and each filter's value: every
    argument is part of the key, and each combination asked keeps its own pair (512 at most)."""
    conds = [scope_filter(scope, Loan.village_code)]
    if state:
        conds.append(Loan.state == state)
    if village:
        conds.append(code_prefix(Loan.village_code, village))
    if household_id is not None:
        conds.append(Loan.household_id == household_id)
    if overdue is not None:
        conds.append(Loan.state == "overdue" if overdue else Loan.state != "overdue")
    if stalled is not None:
        late = Loan.stage_due_on < today
        conds.append(late if stalled else (Loan.stage_due_on.is_(None) | ~late))
    counting = count_statement(select(Loan.id).where(*conds), page=page, per_page=per_page, cap=cap)
    listing = (
        select(Loan)
        .where(*conds)
        .order_by(*sort_order(LOAN_SORTS, sort), Loan.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return counting, listing


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
        code_prefix(Loan.village_code, county_code), Loan.state.in_(states), Loan.id != (excluding or 0)
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
