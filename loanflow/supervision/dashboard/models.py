"""The indexes the dashboard and the monthly report read through (no tables of their own).

Each aggregate keeps one region by a code range and one date or state, and reads a few
money and date columns: a B-tree on the filter column that INCLUDEs the columns summed
lets PostgreSQL answer from the index alone (an index-only scan) instead of reading the
wide case rows. Declared here, on the case tables, so that the migration and the models
agree (``tests/core/test_migrations.py``); SQLite ignores the INCLUDE part.
"""

from sqlalchemy import Index

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
