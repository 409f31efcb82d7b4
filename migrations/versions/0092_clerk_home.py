"""A clerk's home at scale: the cases a clerk filed by waiting state, and the loans maturing soon
with no extension, each read through an index instead of all the clerk's or the township's loans.

Revision ID: 0092_clerk_home
Revises: 0090_performance
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = "0092_clerk_home"
down_revision = "0090_performance"
branch_labels = None
depends_on = None

MATURING_OPEN = "state = 'disbursed' and extension_requested_months is null and extended_maturity_on is null"


def upgrade():
    op.create_index(
        "ix_loan_clerk_filed", "loan", ["applied_by_id", "state", "extension_requested_months"], unique=False
    )
    op.create_index(
        "ix_loan_maturing",
        "loan",
        ["village_code", "maturity_on"],
        unique=False,
        postgresql_where=sa.text(MATURING_OPEN),
        sqlite_where=sa.text(MATURING_OPEN),
    )
    op.create_index("ix_subsidy_case_clerk_filed", "subsidy_case", ["applied_by_id", "state"], unique=False)


def downgrade():
    op.drop_index("ix_subsidy_case_clerk_filed", table_name="subsidy_case")
    op.drop_index("ix_loan_maturing", table_name="loan")
    op.drop_index("ix_loan_clerk_filed", table_name="loan")
