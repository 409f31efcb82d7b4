"""The work queues read in the order they show: each state's subsidy cases by deadline then id (an
approver's queue), and a clerk's waiting loans and subsidy cases by deadline (a clerk's home), so a
queue reads its first rows and stops however many cases wait (issue 14: the home's 20 rows a section
were 20 of 1,600–2,500 read and sorted at a million cases).

Revision ID: 0120_queue_order
Revises: 0110_stalled
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0120_queue_order"
down_revision = "0110_stalled"
branch_labels = None
depends_on = None

LOANS_WAITING = (
    "state in ('applied', 'rated', 'credited', 'compensation_claimed')"
    " or (state = 'disbursed' and extension_requested_months is not null)"
)
SUBSIDIES_WAITING = "state in ('applied', 'verified', 'publicized', 'approved')"


def upgrade():
    with op.batch_alter_table("subsidy_case") as batch_op:
        batch_op.drop_index("ix_subsidy_case_stage_due")
        batch_op.create_index("ix_subsidy_case_stage_due", ["state", "stage_due_on", "id"], unique=False)
    op.create_index(
        "ix_subsidy_case_clerk_waiting",
        "subsidy_case",
        ["applied_by_id", "stage_due_on", "id"],
        unique=False,
        postgresql_where=sa.text(SUBSIDIES_WAITING),
        sqlite_where=sa.text(SUBSIDIES_WAITING),
    )
    op.create_index(
        "ix_loan_clerk_waiting",
        "loan",
        ["applied_by_id", "stage_due_on", "case_number"],
        unique=False,
        postgresql_where=sa.text(LOANS_WAITING),
        sqlite_where=sa.text(LOANS_WAITING),
    )


def downgrade():
    op.drop_index("ix_loan_clerk_waiting", table_name="loan")
    op.drop_index("ix_subsidy_case_clerk_waiting", table_name="subsidy_case")
    with op.batch_alter_table("subsidy_case") as batch_op:
        batch_op.drop_index("ix_subsidy_case_stage_due")
        batch_op.create_index("ix_subsidy_case_stage_due", ["state", "stage_due_on"], unique=False)
