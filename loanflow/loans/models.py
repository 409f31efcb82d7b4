"""The 5321 small loan (扶贫小额信贷): the case, its disbursement, repayments, schedule, the county fund.

The ``loan`` row carries the case's state and every decision with the policy
version it was made under; money events are rows of their own (one
disbursement, repayments reversed by a later mark, never edited or deleted),
and the ledger recomputes positions from them. The schedule lines are the plan
as fixed at disbursement (revision 0) and after each event that changed it
(prepayment, reversal, extension, recall: ``LoanPlanRevision``), kept so that
the receipt of any revision can be shown again.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanflow.core.domain.workflows import LOAN
from loanflow.core.regions import Branch
from loanflow.core.types import JSONType, Money, Rate, UtcDateTime
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.domain.eligibility import CLOSED_LOAN_STATES

LOAN_STATES = LOAN.states  # the state table is the one list of states
CLOSED_STATES = tuple(sorted(CLOSED_LOAN_STATES))
FUND_KINDS = ("deposit", "payout", "recovery")

_OPEN = "state not in ('repaid', 'rejected', 'withdrawn')"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


class Loan(db.Model):
    """One loan case (贷款案件), from application to its end."""

    __tablename__ = "loan"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)  # DK-2026-000001
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    borrower_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    borrower_id_number: Mapped[str] = mapped_column(String(18))
    borrower_name: Mapped[str] = mapped_column(String(60))
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(default=1)

    # application (申请)
    requested_amount: Mapped[Decimal] = mapped_column(Money)
    requested_term_months: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(20))
    purpose_detail: Mapped[str] = mapped_column(String(500), default="")
    consent: Mapped[bool] = mapped_column(default=False)
    applied_on: Mapped[date] = mapped_column(Date)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    application_policy_version: Mapped[int]

    # rating (评级)
    rating_score: Mapped[int | None]
    rating_grade: Mapped[str | None] = mapped_column(String(12))
    rating_limit: Mapped[Decimal | None] = mapped_column(Money)
    rating_scores: Mapped[dict | None] = mapped_column(JSONType)
    rated_on: Mapped[date | None] = mapped_column(Date)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rating_policy_version: Mapped[int | None]

    # credit (授信): the terms and the rates as the policy gave them that day
    credited_amount: Mapped[Decimal | None] = mapped_column(Money)
    credited_term_months: Mapped[int | None]
    rate: Mapped[Decimal | None] = mapped_column(Rate)
    method: Mapped[str | None] = mapped_column(String(20))
    subsidy_ratio: Mapped[Decimal | None] = mapped_column(Rate)
    penalty_rate: Mapped[Decimal | None] = mapped_column(Rate)
    compound_rate: Mapped[Decimal | None] = mapped_column(Rate)
    credited_on: Mapped[date | None] = mapped_column(Date)
    credited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    credit_policy_version: Mapped[int | None]

    # disbursement (放贷): the account is a snapshot of the register that day
    disbursed_on: Mapped[date | None] = mapped_column(Date)
    disbursed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    maturity_on: Mapped[date | None] = mapped_column(Date)  # the original 到期日
    account_type: Mapped[str | None] = mapped_column(String(10))
    bank_account: Mapped[str | None] = mapped_column(String(32))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    schedule_policy_version: Mapped[int | None]

    # extension (展期): a pending request, then the decision
    extension_requested_months: Mapped[int | None]
    extension_reason: Mapped[str | None] = mapped_column(String(500))
    extension_requested_on: Mapped[date | None] = mapped_column(Date)
    extension_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    extended_months: Mapped[int] = mapped_column(default=0)  # total months added
    extension_count: Mapped[int] = mapped_column(default=0)
    extended_on: Mapped[date | None] = mapped_column(Date)
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    extended_maturity_on: Mapped[date | None] = mapped_column(Date)
    extension_rate: Mapped[Decimal | None] = mapped_column(Rate)
    extension_policy_version: Mapped[int | None]
    # every approved extension as the ledger replays it (date, new maturity, rates, subsidy)
    extension_events: Mapped[list | None] = mapped_column(JSONType)
    # the last request declined (不同意展期): the request is cleared, the reason kept
    extension_declined_on: Mapped[date | None] = mapped_column(Date)
    extension_declined_reason: Mapped[str | None] = mapped_column(String(500))

    # the plan in force (还款计划): its revision number (0 at disbursement)
    plan_revision: Mapped[int] = mapped_column(default=0)

    # the compensation claim (代偿申请) waiting for a county approver, or the last one refused
    claim_note: Mapped[str | None] = mapped_column(String(2000))  # what the bank did to collect
    claimed_on: Mapped[date | None] = mapped_column(Date)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    claimed_from: Mapped[str | None] = mapped_column(String(20))  # the state a refusal returns to
    claim_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    claim_refused_on: Mapped[date | None] = mapped_column(Date)
    claim_refusal_reason: Mapped[str | None] = mapped_column(String(500))

    # money kept by the repayment services: principal not yet repaid (null: all of it)
    principal_outstanding: Mapped[Decimal | None] = mapped_column(Money)
    compensation_policy_version: Mapped[int | None]  # its fund share splits the recoveries
    recovered_amount: Mapped[Decimal | None] = mapped_column(Money)  # total recovered after it

    # the end of the road
    overdue_since: Mapped[date | None] = mapped_column(Date)  # stored by the daily sweep
    recalled_on: Mapped[date | None] = mapped_column(Date)
    compensated_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)  # repaid, rejected or withdrawn
    closing_reason: Mapped[str | None] = mapped_column(String(500))

    # deadline of the current waiting stage (限时办结), fixed when the stage starts
    stage_started_on: Mapped[date | None] = mapped_column(Date)
    stage_days: Mapped[int | None]  # working days the stage was given when it started (限时办结)
    stage_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    stage_due_provisional: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    household = relationship(Household)
    branch = relationship(Branch)
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(_in("state", LOAN_STATES), name="state"),
        CheckConstraint("requested_amount > 0", name="requested_amount"),
        CheckConstraint("requested_term_months >= 1", name="requested_term"),
        CheckConstraint("credited_amount is null or credited_amount > 0", name="credited_amount"),
        CheckConstraint("credited_term_months is null or credited_term_months >= 1", name="credited_term"),
        CheckConstraint("rating_limit is null or rating_limit > 0", name="rating_limit"),
        # one open loan per household (an application while another is open is refused)
        Index(
            "uq_loan_one_open_per_household",
            "household_id",
            unique=True,
            postgresql_where=text(_OPEN),
            sqlite_where=text(_OPEN),
        ),
    )

    @property
    def county_code(self) -> str:
        return self.village_code[:6]

    @property
    def township_code(self) -> str:
        return self.village_code[:9]

    @property
    def current_maturity(self) -> date | None:
        """The maturity now in force: the extended one, else the original."""
        return self.extended_maturity_on or self.maturity_on

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES


class Disbursement(db.Model):
    """The one payment of the credited amount into the registered account (one per loan)."""

    __tablename__ = "disbursement"
    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), unique=True)
    disbursed_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    account_type: Mapped[str] = mapped_column(String(10))
    bank_account: Mapped[str] = mapped_column(String(32))
    bank_name: Mapped[str] = mapped_column(String(100))
    disbursed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)


class Repayment(db.Model):
    """Money the household paid (还款). A mistake is reversed (冲正) by marking it, never by deleting it."""

    __tablename__ = "repayment"
    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    allocation: Mapped[dict | None] = mapped_column(JSONType)  # penalty/interest/principal split, as strings
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reversal_reason: Mapped[str | None] = mapped_column(String(500))
    # the household asked that what is left after the amounts due prepays principal (提前还款)
    prepay: Mapped[bool] = mapped_column(default=False)
    # the Idempotency-Key it was recorded under: the same officer's key records one repayment only
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        UniqueConstraint("recorded_by_id", "idempotency_key"),
    )

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None


class LoanScheduleLine(db.Model):
    """A line of a revision of the repayment plan (还款计划): 0 at disbursement, then one per change."""

    __tablename__ = "loan_schedule_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    revision: Mapped[int] = mapped_column(default=0)  # = loan.plan_revision for the plan in force
    seq: Mapped[int]
    start_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    opening_principal: Mapped[Decimal] = mapped_column(Money)
    principal: Mapped[Decimal] = mapped_column(Money)
    interest: Mapped[Decimal] = mapped_column(Money)
    subsidy: Mapped[Decimal] = mapped_column(Money)
    household_interest: Mapped[Decimal] = mapped_column(Money)
    rate: Mapped[Decimal] = mapped_column(Rate)
    __table_args__ = (
        UniqueConstraint("loan_id", "revision", "seq", name="uq_loan_schedule_line_loan_revision_seq"),
        CheckConstraint("principal >= 0 and interest >= 0 and subsidy >= 0", name="amounts"),
    )


PLAN_CAUSES = ("disbursement", "prepayment", "reversal", "extension", "recall")


class LoanPlanRevision(db.Model):
    """A numbered revision of the repayment plan and what made it; its lines are ``LoanScheduleLine``."""

    __tablename__ = "loan_plan_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    number: Mapped[int]
    cause: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[date] = mapped_column(Date)  # the date of the event that made it
    repayment_id: Mapped[int | None] = mapped_column(ForeignKey("repayment.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (
        UniqueConstraint("loan_id", "number"),
        CheckConstraint(_in("cause", PLAN_CAUSES), name="cause"),
    )


class FundEntry(db.Model):
    """The county risk-compensation fund's ledger (风险补偿金): deposits, payouts, recoveries."""

    __tablename__ = "fund_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Money)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"), index=True)
    entry_date: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")
    __table_args__ = (
        CheckConstraint(_in("kind", FUND_KINDS), name="kind"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("kind = 'deposit' or loan_id is not null", name="loan_for_payout"),
    )


# The loans that may wait on an officer (the work queue), in the queue's order: the queue reads the
# first rows of this index and stops, however many loans are disbursed (issue 14).
_WAITING_ON_OFFICER = "state in ('applied', 'rated', 'credited') or extension_requested_months is not null"
Index(
    "ix_loan_waiting",
    Loan.stage_due_on,
    Loan.case_number,
    postgresql_where=text(_WAITING_ON_OFFICER),
    sqlite_where=text(_WAITING_ON_OFFICER),
)
# A list by state within a region (the county's applications, a village's overdue loans): both
# conditions are index ranges, so the capped count reads the index only.
Index("ix_loan_state_village", Loan.state, Loan.village_code)
# The stalled filter, newest first: the loans with a deadline, walked from the newest id (the primary key
# walked past 125k loans without one at 1M).
Index(
    "ix_loan_due_newest",
    Loan.id,
    postgresql_where=text("stage_due_on is not null"),
    sqlite_where=text("stage_due_on is not null"),
)
# A clerk's home (issue 14): the loans the clerk filed that wait on others — one range of this index
# per waiting state, and the disbursed ones with an extension asked (the third column) — not every
# loan the clerk ever filed (25,000 at a million loans).
Index("ix_loan_clerk_filed", Loan.applied_by_id, Loan.state, Loan.extension_requested_months)
# … and in the order the home shows them (the most urgent first), so that its first rows are read and
# no more: a clerk of a busy township had 1,800 loans waiting at a million, read and sorted for 20.
CLERK_WAITING = (
    "state in ('applied', 'rated', 'credited', 'compensation_claimed')"
    " or (state = 'disbursed' and extension_requested_months is not null)"
)
Index(
    "ix_loan_clerk_waiting",
    Loan.applied_by_id,
    Loan.stage_due_on,
    Loan.case_number,
    postgresql_where=text(CLERK_WAITING),
    sqlite_where=text(CLERK_WAITING),
)
# … and the disbursed loans of the clerk's villages maturing soon with no extension asked or used.
_MATURING_OPEN = "state = 'disbursed' and extension_requested_months is null and extended_maturity_on is null"
Index(
    "ix_loan_maturing",
    Loan.village_code,
    Loan.maturity_on,
    postgresql_where=text(_MATURING_OPEN),
    sqlite_where=text(_MATURING_OPEN),
)
