"""The household register (建档立卡): households, their members, bank-account changes."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from loanflow.core.regions import Region
from loanflow.core.types import JSONType, Money, UtcDateTime
from loanflow.extensions import db


class Household(db.Model):
    __tablename__ = "household"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12))
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    status_document: Mapped[str] = mapped_column(String(100), default="")
    monitoring: Mapped[str] = mapped_column(String(12), default="none")
    monitoring_set_on: Mapped[date | None] = mapped_column(Date)
    attribute: Mapped[str] = mapped_column(String(12))
    main_cause: Mapped[str] = mapped_column(String(20))
    secondary_causes: Mapped[list] = mapped_column(JSONType, default=list)
    income_per_head: Mapped[Decimal] = mapped_column(Money)
    account_type: Mapped[str] = mapped_column(String(10))
    bank_account: Mapped[str] = mapped_column(String(32), index=True)
    bank_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(default=1)
    members: Mapped[list["Member"]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="Member.id"
    )
    village = relationship(Region)
    __table_args__ = (
        CheckConstraint("status in ('not_out', 'out', 'relapsed')", name="status"),
        CheckConstraint("monitoring in ('none', 'unstable', 'marginal', 'hardship')", name="monitoring"),
        CheckConstraint("attribute in ('general', 'dibao', 'tekun')", name="attribute"),
        CheckConstraint("account_type in ('card', 'passbook')", name="account_type"),
        CheckConstraint("income_per_head >= 0", name="income_per_head"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def county_code(self) -> str:
        return self.village_code[:6]

    @property
    def township_code(self) -> str:
        return self.village_code[:9]

    @property
    def head(self) -> "Member | None":
        return next((m for m in self.members if m.relation == "head"), None)

    @validates("village_code")
    def _members_move_too(self, _key: str, value: str) -> str:
        for m in self.members:  # each member carries the village (``Member.village_code``)
            m.village_code = value
        return value


class Member(db.Model):
    """A person of a household. One person, one household: the ID number is unique."""

    __tablename__ = "member"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    no_id_reason: Mapped[str] = mapped_column(String(200), default="")
    sex: Mapped[str | None] = mapped_column(String(6))
    birth_date: Mapped[date | None] = mapped_column(Date)
    relation: Mapped[str] = mapped_column(String(12))
    labour: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(20), default="")
    # the last four characters of the ID number, stored so "0011" is an indexed equality (search)
    id_tail: Mapped[str | None] = mapped_column(String(4), index=True)
    # the household's village, kept with the member (set from the household, moved with it) so that a
    # search by name is checked against the searcher's region in the index, not household by household
    village_code: Mapped[str] = mapped_column(String(12))
    household: Mapped[Household] = relationship(back_populates="members")
    __table_args__ = (
        CheckConstraint("id_number is not null or no_id_reason <> ''", name="id_or_reason"),
        Index("ix_member_phone", "phone"),
        # a name prefix (赵大) is an index range on PostgreSQL whatever the database's collation; the
        # village beside it is checked in the index (a clerk's 丁红 is 980 members of the county, 23 of
        # the township)
        Index("ix_member_name", "name", "village_code", postgresql_ops={"name": "varchar_pattern_ops"}),
    )

    @validates("household")
    def _in_households_village(self, _key: str, household: Household | None) -> Household | None:
        if household is not None and household.village_code is not None:
            self.village_code = household.village_code
        return household

    @validates("id_number")
    def _keep_tail(self, _key: str, value: str | None) -> str | None:
        self.id_tail = id_tail(value)
        return value


def id_tail(id_number: str | None) -> str | None:
    """The stored search key of an ID number: its last four characters (``…0011``, ``…002X``)."""
    return id_number[-4:] if id_number else None


class AccountChange(db.Model):
    """A requested change of the registered bank account, waiting for a second user (四眼原则)."""

    __tablename__ = "account_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    account_type: Mapped[str] = mapped_column(String(10))
    bank_account: Mapped[str] = mapped_column(String(32))
    bank_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    household = relationship(Household)
    __table_args__ = (CheckConstraint("state in ('pending', 'confirmed', 'rejected')", name="state"),)
