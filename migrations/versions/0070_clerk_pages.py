"""Clerk pages: search members by ID-number tail, phone and name prefix through indexes.

Revision ID: 0070_clerk_pages
Revises: 0060_security
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = "0070_clerk_pages"
down_revision = "0060_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_tail", sa.String(length=4), nullable=True))
    op.execute("UPDATE member SET id_tail = substr(id_number, length(id_number) - 3) WHERE id_number IS NOT NULL")
    op.create_index("ix_member_id_tail", "member", ["id_tail"], unique=False)
    op.create_index("ix_member_phone", "member", ["phone"], unique=False)
    op.create_index(
        "ix_member_name", "member", ["name"], unique=False, postgresql_ops={"name": "varchar_pattern_ops"}
    )


def downgrade():
    op.drop_index("ix_member_name", table_name="member")
    op.drop_index("ix_member_phone", table_name="member")
    op.drop_index("ix_member_id_tail", table_name="member")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("id_tail")
