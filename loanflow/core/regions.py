"""Regions (县 → 乡镇 → 村, GB/T 2260 codes) and the bank branches serving townships."""

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanflow.extensions import db


class Region(db.Model):
    """A node of the region tree; a code's prefix is its ancestors' codes."""

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    __table_args__ = (CheckConstraint("level in ('county', 'township', 'village')", name="level"),)

    @property
    def county_code(self) -> str:
        return self.code[:6]


class BranchTownship(db.Model):
    """Which branch serves a township; one branch per township, so a loan has one lender."""

    __tablename__ = "branch_township"
    township_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)


class Branch(db.Model):
    """A partner bank's branch (网点)."""

    __tablename__ = "branch"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    bank: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    county_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    version: Mapped[int] = mapped_column(default=1)
    townships: Mapped[list[BranchTownship]] = relationship(
        cascade="all, delete-orphan", order_by=BranchTownship.township_code
    )

    @property
    def township_codes(self) -> list[str]:
        return [t.township_code for t in self.townships]
