"""The industry subsidy (产业奖补): cases, the village publicity lists (公示), objections, the cap ledger."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanflow.core.domain.workflows import SUBSIDY
from loanflow.core.regions import Region
from loanflow.core.types import JSONType, Money, UtcDateTime
from loanflow.extensions import db
from loanflow.households.models import Household


class Quantity(Money):
    """A declared or verified quantity (heads, mu, 100 birds): two decimals, stored as integer hundredths."""

    cache_ok = True


SUBSIDY_STATES = SUBSIDY.states  # the state table is the one list of states


class SubsidyCase(db.Model):
    """One household's claim for one industry, from application to payment (先建后补)."""

    __tablename__ = "subsidy_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    state: Mapped[str] = mapped_column(String(12), index=True)
    version: Mapped[int] = mapped_column(default=1)
    industry: Mapped[str] = mapped_column(String(30))
    declared_quantity: Mapped[Decimal] = mapped_column(Quantity)
    consent: Mapped[bool] = mapped_column(default=False)
    applied_on: Mapped[date] = mapped_column(Date, index=True)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    policy_version: Mapped[int]  # in force at application
    # verification (核验) and the amount reserved against the household's cap
    verified_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    verify_note: Mapped[str] = mapped_column(String(1000), default="")
    verified_on: Mapped[date | None] = mapped_column(Date)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unit_rate: Mapped[Decimal | None] = mapped_column(Money)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    computation: Mapped[dict | None] = mapped_column(JSONType)
    amount_policy_version: Mapped[int | None]
    cap_period: Mapped[str | None] = mapped_column(String(40))
    reserved: Mapped[bool] = mapped_column(default=False)
    # publicity, approval, payment
    publicity_id: Mapped[int | None] = mapped_column(ForeignKey("publicity.id"), index=True)
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    disbursed_on: Mapped[date | None] = mapped_column(Date)
    disbursed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    payment_reference: Mapped[str] = mapped_column(String(60), default="")
    paid_account: Mapped[str] = mapped_column(String(32), default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str] = mapped_column(String(1000), default="")
    # the waiting stage (限时办结): when it started, the count it runs on, and its due date
    stage_started_on: Mapped[date] = mapped_column(Date)
    stage_days: Mapped[int | None]
    stage_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    stage_due_provisional: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    household = relationship(Household)
    village = relationship(Region)
    publicity = relationship("Publicity")
    objections: Mapped[list["SubsidyObjection"]] = relationship(order_by="SubsidyObjection.id", viewonly=True)
    __table_args__ = (
        CheckConstraint("state in " + str(SUBSIDY_STATES), name="state"),
        CheckConstraint("declared_quantity > 0", name="declared_quantity"),
        CheckConstraint("verified_quantity is null or verified_quantity > 0", name="verified_quantity"),
        CheckConstraint("amount is null or amount >= 0", name="amount"),
    )

    @property
    def county_code(self) -> str:
        return self.village_code[:6]

    @property
    def township_code(self) -> str:
        return self.village_code[:9]

    @property
    def case_number(self) -> str:
        """The case number, shaped like the loans' (DK-2026-000001): JB-2026-000001."""
        return f"JB-{self.applied_on.year}-{self.id:06d}"


class Publicity(db.Model):
    """One village publicity list (村级公示): posted on a day, lasting a number of working days."""

    __tablename__ = "publicity"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    posted_on: Mapped[date] = mapped_column(Date)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    approval_opens_on: Mapped[date] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(default=False)
    policy_days: Mapped[int]
    policy_version: Mapped[int]
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    village = relationship(Region)
    entries: Mapped[list["PublicityEntry"]] = relationship(
        back_populates="publicity", order_by="PublicityEntry.id", cascade="all, delete-orphan"
    )

    @property
    def county_code(self) -> str:
        return self.village_code[:6]

    @property
    def number(self) -> str:
        """The list's number: GS-2026-000001."""
        return f"GS-{self.posted_on.year}-{self.id:06d}"


class PublicityEntry(db.Model):
    """A line of the list as posted; an objection, withdrawal or rejection takes it off (``removed_on``)."""

    __tablename__ = "publicity_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    publicity_id: Mapped[int] = mapped_column(ForeignKey("publicity.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("subsidy_case.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(60))
    industry: Mapped[str] = mapped_column(String(30))
    verified_quantity: Mapped[Decimal] = mapped_column(Quantity)
    amount: Mapped[Decimal] = mapped_column(Money)
    removed_on: Mapped[date | None] = mapped_column(Date)
    removed_because: Mapped[str] = mapped_column(String(20), default="")
    publicity: Mapped[Publicity] = relationship(back_populates="entries")


class SubsidyObjection(db.Model):
    """An objection (异议) raised during the publicity period; it sends its case back for re-verification."""

    __tablename__ = "subsidy_objection"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("subsidy_case.id"), index=True)
    publicity_id: Mapped[int] = mapped_column(ForeignKey("publicity.id"))
    raised_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(1000))
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SubsidyCap(db.Model):
    """What a household has reserved against its cap in one period (a year, or a campaign).

    Every reservation first takes this row's lock (an UPDATE), so two cases of one
    household never pass the cap together, on PostgreSQL and on SQLite alike.
    """

    __tablename__ = "subsidy_cap"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)
    reserved: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    __table_args__ = (CheckConstraint("reserved >= 0", name="reserved"),)


# A state's cases in the queue's order (the most urgent first, then by id): an approver's queue reads
# each state's first rows and stops (with the deadline alone, a state's cases were all read and sorted
# on their id within a day: 1,600 at a million for 20 shown).
Index("ix_subsidy_case_stage_due", SubsidyCase.state, SubsidyCase.stage_due_on, SubsidyCase.id)
# A clerk's waiting cases in the same order (the home reads the first rows, not 2,500 and a sort).
CLERK_WAITING = "state in ('applied', 'verified', 'publicized', 'approved')"
Index(
    "ix_subsidy_case_clerk_waiting",
    SubsidyCase.applied_by_id,
    SubsidyCase.stage_due_on,
    SubsidyCase.id,
    postgresql_where=text(CLERK_WAITING),
    sqlite_where=text(CLERK_WAITING),
)
Index(
    "ix_subsidy_case_state_village", SubsidyCase.state, SubsidyCase.village_code
)  # lists by state in a region
Index(
    "ix_subsidy_case_clerk_filed", SubsidyCase.applied_by_id, SubsidyCase.state
)  # a clerk's home: the cases the clerk filed, by waiting state (issue 14)
