"""Read-only lookups the pages need beside a service's answer (choices for selects, pending requests).

Each one is scoped by the same predicates the services use; none changes anything.
"""

from __future__ import annotations

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.core.regions import Region
from loanflow.core.scope import village_filter
from loanflow.extensions import db
from loanflow.households.models import AccountChange, Household


def visible_villages(user: User) -> list[Region]:
    """The villages the user may see, for a search filter or a register form."""
    stmt = select(Region).where(Region.level == "village", village_filter(user, Region.code))
    return list(db.session.scalars(stmt.order_by(Region.code)))


def pending_account_changes(household: Household) -> list[AccountChange]:
    """Account changes of a household (already loaded within the caller's scope) still waiting."""
    stmt = select(AccountChange).where(
        AccountChange.household_id == household.id, AccountChange.state == "pending"
    )
    return list(db.session.scalars(stmt.order_by(AccountChange.id)))


def user_names(ids: set[int]) -> dict[int, str]:
    """Full names of users by id, for timelines and requests."""
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def loan_position(loan):
    """Due now and payoff as of the business date, when the ledger service is installed."""
    if loan.disbursed_on is None:
        return None
    try:
        from loanflow.loans.services.money import position_of
    except ModuleNotFoundError:
        return None
    return position_of(loan)


def verified_companions(user: User, case) -> list:
    """Other verified cases of the same village, which may go on the same 公示 list."""
    from loanflow.subsidies.services import list_cases

    rows = list_cases(user, village=case.village_code, state="verified", per_page=500)[0]
    return [c for c in rows if c.id != case.id and c.village_code == case.village_code]


def reversible_repayments(user: User, loan) -> list:
    """Live repayments this user may reverse: four eyes is per repayment (the service refuses the
    recorder with 403), so the form offers only the others' ones."""
    from loanflow.loans.services.position import repayments_of
    from loanflow.policy.services import current_policy

    four_eyes = current_policy().four_eyes
    return [
        r
        for r in repayments_of(loan.id)
        if not r.is_reversed and not (four_eyes and r.recorded_by_id == user.id)
    ]
