"""The dashboard's and the monthly report's indexes (covering: the sums come from the index alone).

Revision ID: 0035_supervision_dashboard
Revises: 0030_supervision
Create Date: 2026-11-30

"""

from alembic import op

revision = "0035_supervision_dashboard"
down_revision = "0030_supervision"
branch_labels = None
depends_on = None

# (name, table, columns, included columns): as loanflow/supervision/dashboard/models.py declares them
INDEXES = (
    ("ix_loan_region_state", "loan", ["village_code", "state"],
     ["stage_due_on", "principal_outstanding", "credited_amount", "overdue_since"]),
    ("ix_loan_credited_on", "loan", ["credited_on"], ["village_code", "credited_amount", "rated_on"]),
    ("ix_loan_disbursed_on", "loan", ["disbursed_on"], ["village_code", "credited_amount", "credited_on", "household_id"]),
    ("ix_loan_rated_on", "loan", ["rated_on"], ["village_code", "applied_on"]),
    ("ix_subsidy_case_region_state", "subsidy_case", ["village_code", "state"], ["stage_due_on"]),
    ("ix_subsidy_case_approved_on", "subsidy_case", ["approved_on"],
     ["village_code", "state", "amount", "publicity_id", "disbursed_on"]),
    ("ix_subsidy_case_disbursed_on", "subsidy_case", ["disbursed_on"], ["village_code", "state", "amount", "approved_on"]),
    ("ix_subsidy_case_verified_on", "subsidy_case", ["verified_on"], ["village_code", "applied_on", "publicity_id"]),
    ("ix_subsidy_cap_period", "subsidy_cap", ["period", "household_id"], ["reserved"]),
    ("ix_household_region_status", "household", ["village_code", "status", "monitoring"], ["id"]),
)  # fmt: skip


def upgrade():
    for name, table, columns, included in INDEXES:
        op.create_index(name, table, columns, unique=False, postgresql_include=included)


def downgrade():
    for name, table, _columns, _included in reversed(INDEXES):
        op.drop_index(name, table_name=table)
