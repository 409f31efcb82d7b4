"""The indexes the dashboard and the monthly report read through, and the dashboard's rollup tables.

Each aggregate keeps one region by a code range and one date or state, and reads a few
money and date columns: a B-tree on the filter column that INCLUDEs the columns summed
lets PostgreSQL answer from the index alone (an index-only scan) instead of reading the
wide case rows. Declared here, on the case tables, so that the migration and the models
agree (``tests/core/test_migrations.py``); SQLite ignores the INCLUDE part.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from loanflow.core.types import Money, UtcDateTime
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.subsidies.models import SubsidyCap, SubsidyCase

# (name, columns, included columns)
DASHBOARD_INDEXES = (
    ("ix_loan_region_state", (Loan.village_code, Loan.state),
     ("stage_due_on", "principal_outstanding", "credited_amount", "overdue_since")),
    ("ix_loan_credited_on", (Loan.credited_on,), ("village_code", "credited_amount", "rated_on")),
    ("ix_loan_disbursed_on", (Loan.disbursed_on,), ("village_code", "credited_amount", "credited_on", "household_id")),
    ("ix_loan_rated_on", (Loan.rated_on,), ("village_code", "applied_on")),
    ("ix_subsidy_case_region_state", (SubsidyCase.village_code, SubsidyCase.state), ("stage_due_on",)),
    ("ix_subsidy_case_approved_on", (SubsidyCase.approved_on,),
     ("village_code", "state", "amount", "publicity_id", "disbursed_on")),
    ("ix_subsidy_case_disbursed_on", (SubsidyCase.disbursed_on,), ("village_code", "state", "amount", "approved_on")),
    ("ix_subsidy_case_verified_on", (SubsidyCase.verified_on,), ("village_code", "applied_on", "publicity_id")),
    ("ix_subsidy_cap_period", (SubsidyCap.period, SubsidyCap.household_id), ("reserved",)),
    ("ix_household_region_status", (Household.village_code, Household.status, Household.monitoring), ("id",)),
)  # fmt: skip

for _name, _columns, _included in DASHBOARD_INDEXES:
    Index(_name, *_columns, postgresql_include=list(_included))


# --- the rollup: the dashboard's figures per township, kept by ``dashboard.keeping`` ------------------
#
# Each table holds what a township's cases add up to, keyed so that a county's dashboard sums ~40
# townships' rows instead of reading its cases, and so that nothing stored depends on the business date
# or the policy: overdue loans by the day they fell overdue (the bands are drawn at reading), waiting
# cases by their due date (stalled = due before the cut-off), households by register status and the day
# they were first lent to (the policy's admitted statuses are applied at reading), reservations by their
# amount (the cap is applied at reading). Stage ends carry their working days, computed with the calendar
# at the rebuild (an entered year marks every township for a rebuild).

GRAINS = ("d", "m")  # a day's row, a month's row (dated its first day)


class RollupTownship(db.Model):
    """One row per township: whether its rollup is behind its cases, and since when.

    ``dirty_since``: a change committed since then is not yet claimed by a rebuild. ``claimed_at``: the
    last rebuild began reading then. ``built_at``: the rows hold every change committed before it.
    The township's rows are current when nothing is dirty and the last claim has been built.
    """

    __tablename__ = "dashboard_rollup_township"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    dirty_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    built_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RollupStock(db.Model):
    """Cases per state; for loans the principal they owe (未还本金, credited when never lent)."""

    __tablename__ = "dashboard_rollup_stock"
    township: Mapped[str] = mapped_column(String(9), primary_key=True)
    product: Mapped[str] = mapped_column(String(10), primary_key=True)
    state: Mapped[str] = mapped_column(String(30), primary_key=True)
    cases: Mapped[int]
    principal: Mapped[Decimal | None] = mapped_column(Money)


class RollupDue(db.Model):
    """Waiting cases per stage due date (stalled = due before the stalled queue's cut-off)."""

    __tablename__ = "dashboard_rollup_due"
    township: Mapped[str] = mapped_column(String(9), primary_key=True)
    product: Mapped[str] = mapped_column(String(10), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    cases: Mapped[int]


class RollupOverdue(db.Model):
    """Overdue loans per first unpaid due date, with the principal they owe (the bands are drawn at reading)."""

    __tablename__ = "dashboard_rollup_overdue"
    township: Mapped[str] = mapped_column(String(9), primary_key=True)
    overdue_since: Mapped[date] = mapped_column(Date, primary_key=True)
    loans: Mapped[int]
    principal: Mapped[Decimal | None] = mapped_column(Money)


class RollupCap(db.Model):
    """Households holding a reservation against a cap period, per amount reserved."""

    __tablename__ = "dashboard_rollup_cap"
    township: Mapped[str] = mapped_column(String(9), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)
    reserved: Mapped[Decimal] = mapped_column(Money, primary_key=True)
    households: Mapped[int]
    __table_args__ = (
        Index(
            "ix_dashboard_rollup_cap_read",
            "period",
            "township",
            postgresql_include=["reserved", "households"],
        ),
    )


class RollupHouseholds(db.Model):
    """Households per register status and monitoring, and when first lent to.

    Month rows (``grain`` m) count every household once, dated the first of the month of its first loan
    disbursed (NULL: never lent); day rows (``grain`` d) count the lent ones again by that day, for the
    end of a period inside a month.
    """

    __tablename__ = "dashboard_rollup_household"
    id: Mapped[int] = mapped_column(primary_key=True)
    township: Mapped[str] = mapped_column(String(9))
    grain: Mapped[str] = mapped_column(String(1))
    status: Mapped[str] = mapped_column(String(20))
    monitoring: Mapped[str] = mapped_column(String(20))
    lent_on: Mapped[date | None] = mapped_column(Date)
    households: Mapped[int]
    __table_args__ = (
        Index("ix_dashboard_rollup_household_township", "township"),
        Index("ix_dashboard_rollup_household_read", "grain", "lent_on", "township",
              postgresql_include=["status", "monitoring", "households"]),
    )  # fmt: skip


class RollupFlow(db.Model):
    """What ended on a day (``grain`` d) or in a month (``grain`` m, dated its first day), by working days.

    ``measure`` is a waiting stage that ended (``loan.rated``: rated → credited, so its cases and amount are
    the loans credited; ``loan.credited``: the loans disbursed; ``subsidy.approved``: the subsidies paid)
    with the working days it took, or ``subsidy.approval``: cases approved that day and not rejected
    since (working days 0). A period's figures are its whole months' rows and its edge days' rows.
    """

    __tablename__ = "dashboard_rollup_flow"
    township: Mapped[str] = mapped_column(String(9), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    measure: Mapped[str] = mapped_column(String(30), primary_key=True)
    working_days: Mapped[int] = mapped_column(primary_key=True)
    cases: Mapped[int]
    amount: Mapped[Decimal | None] = mapped_column(Money)
    __table_args__ = (
        Index("ix_dashboard_rollup_flow_read", "grain", "day", "township",
              postgresql_include=["measure", "working_days", "cases", "amount"]),
    )  # fmt: skip


ROLLUP_TABLES = (RollupStock, RollupDue, RollupOverdue, RollupCap, RollupHouseholds, RollupFlow)
