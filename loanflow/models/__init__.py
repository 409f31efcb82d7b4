"""All tables, imported here so that Alembic and ``create_all`` see every one."""

from loanflow.models.audit import AuditChainHead, AuditEvent
from loanflow.models.calendar import CalendarYear
from loanflow.models.document import IssuedDocument
from loanflow.models.household import AccountChange, Household, Member
from loanflow.models.loan import Disbursement, FundEntry, Loan, LoanScheduleLine, Repayment
from loanflow.models.misc import IdempotencyRecord, PolicyVersion
from loanflow.models.region import Branch, BranchTownship, Region
from loanflow.models.subsidy import Publicity, PublicityEntry, SubsidyCap, SubsidyCase, SubsidyObjection
from loanflow.models.user import ApiToken, User

__all__ = [
    "AccountChange",
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "Branch",
    "CalendarYear",
    "Disbursement",
    "FundEntry",
    "Loan",
    "LoanScheduleLine",
    "Repayment",
    "BranchTownship",
    "Household",
    "IdempotencyRecord",
    "IssuedDocument",
    "Member",
    "PolicyVersion",
    "Publicity",
    "PublicityEntry",
    "Region",
    "SubsidyCap",
    "SubsidyCase",
    "SubsidyObjection",
    "User",
]
