"""The household cap ledger (奖补上限): one row per household and cap period, locked before every change.

``lock`` takes the row's lock with a no-op UPDATE (PostgreSQL holds it to the
end of the transaction; SQLite's ``BEGIN IMMEDIATE`` already orders writers) and
returns what is reserved, so the amount is computed from a figure no other
transaction can change before we commit. ``reserve`` is also guarded in SQL
(``reserved + x <= cap``): the cap holds even for a caller that forgot to lock.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import literal, update
from sqlalchemy.dialects import postgresql, sqlite

from loanflow.core.domain.money import ZERO
from loanflow.core.errors import Invalid
from loanflow.core.types import Money
from loanflow.extensions import db
from loanflow.subsidies.domain.amounts import SubsidyAmount, cap_used_up, compute_amount
from loanflow.subsidies.models import SubsidyCap, SubsidyCase


def _ensure_row(household_id: int, period: str) -> None:
    dialect = db.session.get_bind().dialect.name
    ins = (postgresql if dialect == "postgresql" else sqlite).insert(SubsidyCap)
    db.session.execute(
        ins.values(household_id=household_id, period=period, reserved=ZERO).on_conflict_do_nothing()
    )


def _money(value: Decimal):
    # the column's type converts yuan to fen; a bare Decimal in an expression would not be
    return literal(value, Money())


def _row(household_id: int, period: str):
    return (SubsidyCap.household_id == household_id) & (SubsidyCap.period == period)


def lock(household_id: int, period: str) -> Decimal:
    """Lock the household's cap row for the period and return what it has reserved."""
    _ensure_row(household_id, period)
    stmt = (
        update(SubsidyCap)
        .where(_row(household_id, period))
        .values(reserved=SubsidyCap.reserved)
        .returning(SubsidyCap.reserved)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).scalar_one()


def reserve(household_id: int, period: str, amount: Decimal, cap: Decimal) -> bool:
    """Add ``amount`` to the reservation unless that would pass ``cap``; True if it was added."""
    stmt = (
        update(SubsidyCap)
        .where(_row(household_id, period), SubsidyCap.reserved + _money(amount) <= _money(cap))
        .values(reserved=SubsidyCap.reserved + _money(amount))
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount == 1


def release(household_id: int, period: str, amount: Decimal) -> None:
    """Give ``amount`` back to the household's cap (reject, withdraw, objection, a move of period)."""
    stmt = (
        update(SubsidyCap)
        .where(_row(household_id, period), SubsidyCap.reserved >= _money(amount))
        .values(reserved=SubsidyCap.reserved - _money(amount))
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(stmt).rowcount != 1:
        raise RuntimeError(f"cap ledger of household {household_id} ({period}) holds less than {amount}")


def reserved(household_id: int, period: str) -> Decimal:
    """What the household has reserved in the period (no lock; for display)."""
    row = db.session.get(SubsidyCap, (household_id, period))
    return row.reserved if row is not None else ZERO


def amount_at_approval(case: SubsidyCase, period: str, cap: Decimal) -> SubsidyAmount:
    """Under the lock: the case's amount computed again, from its uncapped amount, against ``period``'s cap.

    The reservation made at verification may have been cut by another period's cap
    (verified in December, approved in January): it is given back and the amount
    recomputed from the gross (counted quantity × rate) against what the household's
    *other* cases hold in the approval's period, then reserved there. Refused (422)
    when nothing is left of that cap.
    """
    held = lock(case.household_id, period)
    own = case.amount if case.reserved and case.cap_period == period else ZERO
    amount = compute_amount(
        unit_rate=case.unit_rate,
        declared=case.declared_quantity,
        verified=case.verified_quantity,
        cap=cap,
        reserved_before=held - own,
        cap_period=period,
    )
    if amount.amount <= 0:
        raise Invalid({"amount": [cap_used_up(period, cap, held - own)]})
    if case.reserved:
        release(case.household_id, case.cap_period, case.amount)
    if not reserve(case.household_id, period, amount.amount, cap):  # cannot happen under the lock
        raise RuntimeError(f"cap ledger of household {case.household_id} ({period}) changed under its lock")
    return amount
