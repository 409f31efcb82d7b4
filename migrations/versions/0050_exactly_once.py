"""Exactly once: the answer's content type and location beside the stored key; documents owed by a
committed step; background jobs (one active import per county).

Revision ID: 0050_exactly_once
Revises: 0040_admin
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

import loanflow.core.types

revision = "0050_exactly_once"
down_revision = "0040_admin"
branch_labels = None
depends_on = None

ACTIVE = "state in ('queued', 'running')"


def upgrade():
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_type", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("location", sa.String(length=500), nullable=True))

    op.create_table(
        "owed_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("case_type", sa.String(length=10), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("owed_at", loanflow.core.types.UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "case_type in ('loan', 'subsidy', 'publicity')", name=op.f("ck_owed_document_case_type")
        ),
        sa.CheckConstraint(
            "kind in ('loan_agreement', 'loan_receipt', 'extension_agreement', 'subsidy_notice', "
            "'publicity_list', 'household_receipt')",
            name=op.f("ck_owed_document_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_owed_document_actor_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owed_document")),
    )
    with op.batch_alter_table("owed_document", schema=None) as batch_op:
        batch_op.create_index("ix_owed_document_case", ["case_type", "case_id"], unique=False)

    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("lock_key", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("params", loanflow.core.types.JSONType, nullable=False),
        sa.Column("result", loanflow.core.types.JSONType, nullable=True),
        sa.Column("errors", loanflow.core.types.JSONType, nullable=True),
        sa.Column("payload_name", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", loanflow.core.types.UtcDateTime(), nullable=False),
        sa.Column("started_at", loanflow.core.types.UtcDateTime(), nullable=True),
        sa.Column("finished_at", loanflow.core.types.UtcDateTime(), nullable=True),
        sa.CheckConstraint("state in ('queued', 'running', 'done', 'failed')", name=op.f("ck_job_state")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_job_created_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(
            "uq_job_active",
            ["kind", "lock_key"],
            unique=True,
            sqlite_where=sa.text(ACTIVE),
            postgresql_where=sa.text(ACTIVE),
        )


def downgrade():
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index("uq_job_active", sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
    op.drop_table("job")
    with op.batch_alter_table("owed_document", schema=None) as batch_op:
        batch_op.drop_index("ix_owed_document_case")
    op.drop_table("owed_document")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_column("location")
        batch_op.drop_column("content_type")
