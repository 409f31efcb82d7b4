"""Administration: a forced password change and the last login per user; a policy version's effective date.

Revision ID: 0040_admin
Revises: 0035_supervision_dashboard
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

import loanflow.core.types

revision = "0040_admin"
down_revision = "0035_supervision_dashboard"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("last_login_at", loanflow.core.types.UtcDateTime(), nullable=True))
    with op.batch_alter_table("policy_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("policy_version", schema=None) as batch_op:
        batch_op.drop_column("effective_on")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("must_change_password")
