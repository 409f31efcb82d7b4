"""The stalled queue bounded by its page: a township's or village's waiting cases by place and due date
(its first page and capped count read only that place's); the waiting cases by state and place (the
dead-end screen's conditions, one index range each); the 公示 lists by the day approval opens, and the
provisional ones (where a publicized case may be stuck between its guards).

Revision ID: 0110_stalled
Revises: 0100_dashboard_rollup
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0110_stalled"
down_revision = "0100_dashboard_rollup"
branch_labels = None
depends_on = None

WAITING = "stage_due_on IS NOT NULL"
TABLES = ("loan", "subsidy_case")
# what the dead-end screen's conditions read beside state and place (index-only scans)
CARRIED = {"loan": ["credited_by_id"], "subsidy_case": ["verified_by_id", "publicity_id"]}


def upgrade():
    for table in TABLES:
        op.create_index(
            f"ix_{table}_waiting_place",
            table,
            ["village_code", "stage_due_on", "id"],
            unique=False,
            postgresql_where=sa.text(WAITING),
            sqlite_where=sa.text(WAITING),
        )
        op.create_index(
            f"ix_{table}_waiting_state",
            table,
            ["state", "village_code"],
            unique=False,
            postgresql_include=["stage_due_on", "id", *CARRIED[table]],
            postgresql_where=sa.text(WAITING),
            sqlite_where=sa.text(WAITING),
        )
    op.create_index(
        "ix_publicity_approval",
        "publicity",
        ["approval_opens_on"],
        unique=False,
        postgresql_include=["end_on", "id"],
    )
    op.create_index(
        "ix_publicity_provisional",
        "publicity",
        ["end_on"],
        unique=False,
        postgresql_where=sa.text("provisional"),
        sqlite_where=sa.text("provisional"),
    )


def downgrade():
    op.drop_index("ix_publicity_provisional", table_name="publicity")
    op.drop_index("ix_publicity_approval", table_name="publicity")
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_waiting_state", table_name=table)
        op.drop_index(f"ix_{table}_waiting_place", table_name=table)
