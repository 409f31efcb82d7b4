"""Performance at a province's scale: the index the officer's work queue reads in order and stops;
lists by state within a region served by one index each; the stalled filter walked newest first.

Revision ID: 0090_performance
Revises: 0070_clerk_pages
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = "0090_performance"
down_revision = "0070_clerk_pages"
branch_labels = None
depends_on = None

WAITING_ON_OFFICER = "state in ('applied', 'rated', 'credited') or extension_requested_months is not null"


def upgrade():
    op.create_index(
        "ix_loan_waiting",
        "loan",
        ["stage_due_on", "case_number"],
        unique=False,
        postgresql_where=sa.text(WAITING_ON_OFFICER),
        sqlite_where=sa.text(WAITING_ON_OFFICER),
    )
    op.create_index(
        "ix_loan_due_newest",
        "loan",
        ["id"],
        unique=False,
        postgresql_where=sa.text("stage_due_on is not null"),
        sqlite_where=sa.text("stage_due_on is not null"),
    )
    op.create_index("ix_loan_state_village", "loan", ["state", "village_code"], unique=False)
    op.create_index("ix_subsidy_case_state_village", "subsidy_case", ["state", "village_code"], unique=False)


def downgrade():
    op.drop_index("ix_subsidy_case_state_village", table_name="subsidy_case")
    op.drop_index("ix_loan_state_village", table_name="loan")
    op.drop_index("ix_loan_due_newest", table_name="loan")
    op.drop_index("ix_loan_waiting", table_name="loan")
