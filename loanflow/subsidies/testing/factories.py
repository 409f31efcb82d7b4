"""Subsidy cases and households for the tests, made through the services.

The demo county (``loanflow.subsidies.demo``) is built with ``make_case`` too; the tests depend
on no demo code. Plus many applied cases at once for the list tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.calendar.services import work_calendar
from loanflow.core import clock, uow
from loanflow.core.clock import business_date
from loanflow.core.regions import Region
from loanflow.extensions import db
from loanflow.households.models import Household, Member
from loanflow.subsidies import publicity as publicity_service
from loanflow.subsidies import services as service
from loanflow.subsidies.models import SubsidyCase

STEPS = ("applied", "verified", "publicized", "approved", "disbursed")


@contextmanager
def _step(on: date) -> Iterator[None]:
    """One back-dated step, its own unit of work: committed (documents issued) as of ``on``."""
    with business_date(on):
        yield
        uow.commit()


def make_case(
    household: Household,
    state: str,
    *,
    start: date,
    clerk: User,
    verifier: User,
    approver: User,
    industry: str = "pig",
    quantity: str = "5",
    verified: str | None = None,
    gap: int = 1,
) -> SubsidyCase:
    """A case taken to ``state`` starting on ``start``, each step ``gap`` working days after the last.

    ``approved`` happens on the day approval opens; ``rejected`` and ``withdrawn``
    close an applied case.
    """
    cal = work_calendar()
    day = start
    with _step(day):
        case = service.apply_for_subsidy(
            clerk, {"household_id": household.id, "industry": industry, "quantity": quantity, "consent": True}
        )
    case_id = case.id
    if state in ("rejected", "withdrawn"):
        actor, action = (verifier, "reject") if state == "rejected" else (clerk, "withdraw")
        with _step(cal.add_working_days(day, gap).date):
            return service.close_case(
                actor, case_id, action, "演示：农户已放弃" if action == "withdraw" else "演示：核验不符"
            )
    target = STEPS.index(state)
    if target >= 1:
        day = cal.add_working_days(day, gap).date
        with _step(day):
            service.verify_case(
                verifier, case_id, {"verified_quantity": verified or quantity, "note": "实地核验"}
            )
    if target >= 2:
        day = cal.add_working_days(day, gap).date
        with _step(day):
            publicity = publicity_service.publicize_cases(verifier, case_id)
            day = publicity.approval_opens_on
    if target >= 3:
        with _step(day):
            service.approve_case(approver, case_id)
    if target >= 4:
        day = cal.add_working_days(day, gap).date
        with _step(day):
            service.disburse_case(approver, case_id, {"date": day, "payment_reference": f"YA{case_id:08d}"})
    return db.session.get(SubsidyCase, case_id)


def fresh_household(village_code: str, head_name: str, account: str = "6217991234567890128") -> Household:
    """A household with only its head, for demos and tests that need one without any case."""
    now = clock.now()
    h = Household(
        village_code=village_code,
        address="1组1号",
        status="not_out",
        attribute="general",
        main_cause="no_funds",
        secondary_causes=[],
        income_per_head=Decimal("4000"),
        account_type="card",
        bank_account=account,
        bank_name="裕安区农村商业银行",
        created_at=now,
        updated_at=now,
        members=[
            Member(name=head_name, no_id_reason="演示", relation="head", labour="normal", phone="13900000000")
        ],
    )
    db.session.add(h)
    uow.commit()
    return h


def households_in_many_villages(n: int) -> list[int]:
    """``n`` more households, each in another village of the demo county; their ids."""
    villages = db.session.scalars(select(Region.code).where(Region.level == "village").order_by(Region.code))
    codes = list(villages)
    return [fresh_household(codes[i % len(codes)], f"户主{i}").id for i in range(n)]


def applied_cases(n: int) -> None:
    """``n`` applied subsidy cases of households in as many villages (written directly: only lists read them)."""
    clerk = db.session.scalar(select(User).where(User.username == "clerk"))
    today, now = clock.today(), clock.now()
    for i, household_id in enumerate(households_in_many_villages(n)):
        h = db.session.get(Household, household_id)
        db.session.add(
            SubsidyCase(
                household_id=h.id,
                village_code=h.village_code,
                state="applied",
                industry=("pig", "kiwi", "tea")[i % 3],
                declared_quantity=Decimal(1 + i % 5),
                consent=True,
                applied_on=today,
                applied_by_id=clerk.id,
                policy_version=1,
                stage_started_on=today,
                stage_due_on=date(today.year, 12, 31),
                created_at=now,
                updated_at=now,
            )
        )
    uow.commit()


# 2027 as the State Council is expected to publish it around 元旦: 1 January (Friday) off, nothing moved.
NEW_YEAR_2027 = {"holidays": ["2027-01-01"], "workdays": []}


def enter_calendar_year(year: int, holidays: list[str], workdays: list[str] | None = None):
    """An admin's calendar entry (through the service, committed as its own request); its ``YearEntered``."""
    from loanflow.calendar.services import enter_year

    entered = enter_year(None, year, holidays, workdays or [])
    uow.commit()
    return entered
