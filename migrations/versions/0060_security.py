"""Security: page sessions that end on the server, bearer tokens that expire, an audit trail TRUNCATE cannot empty.

Revision ID: 0060_security
Revises: 0050_exactly_once
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

import loanflow.core.types

revision = "0060_security"
down_revision = "0050_exactly_once"
branch_labels = None
depends_on = None

# TRUNCATE fires no row trigger: a statement trigger refuses it (see loanflow/audit/models.py).
NO_TRUNCATE = (
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
)


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", loanflow.core.types.UtcDateTime(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NO_TRUNCATE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
