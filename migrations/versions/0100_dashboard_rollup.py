"""The dashboard's per-township rollup: stocks, due dates, overdue days, caps, households and the flows
by day and month with their working days, and one row per township saying how current its rows are.

The rows are not filled here (a migration imports only core.types, and the rebuild needs the app's
queries and calendar): every township gets its state row, never built, and until it is built the
dashboard counts that region's cases directly, as before. Fill them with
``flask loanflow rebuild-dashboard`` after the upgrade (the nightly job does it too).

Revision ID: 0100_dashboard_rollup
Revises: 0092_clerk_home
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

import loanflow.core.types

revision = "0100_dashboard_rollup"
down_revision = "0092_clerk_home"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_rollup_cap",
        sa.Column("township", sa.String(length=9), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("reserved", loanflow.core.types.Money(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("township", "period", "reserved", name=op.f("pk_dashboard_rollup_cap")),
    )
    with op.batch_alter_table("dashboard_rollup_cap", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dashboard_rollup_cap_read",
            ["period", "township"],
            unique=False,
            postgresql_include=["reserved", "households"],
        )

    op.create_table(
        "dashboard_rollup_due",
        sa.Column("township", sa.String(length=9), nullable=False),
        sa.Column("product", sa.String(length=10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("township", "product", "due_on", name=op.f("pk_dashboard_rollup_due")),
    )
    op.create_table(
        "dashboard_rollup_flow",
        sa.Column("township", sa.String(length=9), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=30), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("amount", loanflow.core.types.Money(), nullable=True),
        sa.PrimaryKeyConstraint(
            "township", "grain", "day", "measure", "working_days", name=op.f("pk_dashboard_rollup_flow")
        ),
    )
    with op.batch_alter_table("dashboard_rollup_flow", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dashboard_rollup_flow_read",
            ["grain", "day", "township"],
            unique=False,
            postgresql_include=["measure", "working_days", "cases", "amount"],
        )

    op.create_table(
        "dashboard_rollup_household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township", sa.String(length=9), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("monitoring", sa.String(length=20), nullable=False),
        sa.Column("lent_on", sa.Date(), nullable=True),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_rollup_household")),
    )
    with op.batch_alter_table("dashboard_rollup_household", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dashboard_rollup_household_read",
            ["grain", "lent_on", "township"],
            unique=False,
            postgresql_include=["status", "monitoring", "households"],
        )
        batch_op.create_index("ix_dashboard_rollup_household_township", ["township"], unique=False)

    op.create_table(
        "dashboard_rollup_overdue",
        sa.Column("township", sa.String(length=9), nullable=False),
        sa.Column("overdue_since", sa.Date(), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("principal", loanflow.core.types.Money(), nullable=True),
        sa.PrimaryKeyConstraint("township", "overdue_since", name=op.f("pk_dashboard_rollup_overdue")),
    )
    op.create_table(
        "dashboard_rollup_stock",
        sa.Column("township", sa.String(length=9), nullable=False),
        sa.Column("product", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("principal", loanflow.core.types.Money(), nullable=True),
        sa.PrimaryKeyConstraint("township", "product", "state", name=op.f("pk_dashboard_rollup_stock")),
    )
    op.create_table(
        "dashboard_rollup_township",
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("dirty_since", loanflow.core.types.UtcDateTime(), nullable=True),
        sa.Column("claimed_at", loanflow.core.types.UtcDateTime(), nullable=True),
        sa.Column("built_at", loanflow.core.types.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_dashboard_rollup_township")),
    )
    op.execute(
        "INSERT INTO dashboard_rollup_township (code) SELECT code FROM region WHERE level = 'township'"
    )


def downgrade():
    op.drop_table("dashboard_rollup_township")
    op.drop_table("dashboard_rollup_stock")
    op.drop_table("dashboard_rollup_overdue")
    with op.batch_alter_table("dashboard_rollup_household", schema=None) as batch_op:
        batch_op.drop_index("ix_dashboard_rollup_household_township")
        batch_op.drop_index(
            "ix_dashboard_rollup_household_read", postgresql_include=["status", "monitoring", "households"]
        )

    op.drop_table("dashboard_rollup_household")
    with op.batch_alter_table("dashboard_rollup_flow", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_dashboard_rollup_flow_read", postgresql_include=["measure", "working_days", "cases", "amount"]
        )

    op.drop_table("dashboard_rollup_flow")
    op.drop_table("dashboard_rollup_due")
    with op.batch_alter_table("dashboard_rollup_cap", schema=None) as batch_op:
        batch_op.drop_index("ix_dashboard_rollup_cap_read", postgresql_include=["reserved", "households"])

    op.drop_table("dashboard_rollup_cap")
