"""The household's village on each member, and the name index with it: a search by name checks the
searcher's region in the index (a clerk's "丁红" was 980 members of the county looked up household by
household for the 23 of the township).

Revision ID: 0130_member_village
Revises: 0120_queue_order
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0130_member_village"
down_revision = "0120_queue_order"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("member") as batch_op:
        batch_op.add_column(sa.Column("village_code", sa.String(length=12), nullable=True))
    op.execute(
        "UPDATE member SET village_code = (SELECT h.village_code FROM household h WHERE h.id = member.household_id)"
    )
    with op.batch_alter_table("member") as batch_op:
        batch_op.alter_column("village_code", existing_type=sa.String(length=12), nullable=False)
        batch_op.drop_index("ix_member_name")
        batch_op.create_index(
            "ix_member_name",
            ["name", "village_code"],
            unique=False,
            postgresql_ops={"name": "varchar_pattern_ops"},
        )


def downgrade():
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_index("ix_member_name")
        batch_op.create_index(
            "ix_member_name", ["name"], unique=False, postgresql_ops={"name": "varchar_pattern_ops"}
        )
        batch_op.drop_column("village_code")
