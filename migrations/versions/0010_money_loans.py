"""Loans: the plan in force and its revisions, advances and prepayment, the compensation claim, declined extensions.

Revision ID: 0010_money_loans
Revises: 0001_initial
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

import loanflow.core.types

revision = "0010_money_loans"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

OLD_STATES = (
    "applied", "rated", "credited", "disbursed", "overdue", "recalled", "repaid", "compensated", "rejected",
    "withdrawn",
)
NEW_STATES = (
    "applied", "rated", "credited", "disbursed", "overdue", "recalled", "compensation_claimed", "repaid",
    "compensated", "rejected", "withdrawn",
)


def _in(values):
    return f"state in ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        "loan_plan_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("repayment_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", loanflow.core.types.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "cause in ('disbursement', 'prepayment', 'reversal', 'extension', 'recall')",
            name=op.f("ck_loan_plan_revision_cause"),
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_loan_plan_revision_loan_id_loan")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_loan_plan_revision_recorded_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["repayment_id"], ["repayment.id"], name=op.f("fk_loan_plan_revision_repayment_id_repayment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_plan_revision")),
        sa.UniqueConstraint("loan_id", "number", name=op.f("uq_loan_plan_revision_loan_id_number")),
    )
    with op.batch_alter_table("loan_plan_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_plan_revision_loan_id"), ["loan_id"], unique=False)

    with op.batch_alter_table("repayment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prepay", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("loan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_loan_state"), type_="check")
        batch_op.alter_column(
            "state", existing_type=sa.String(length=12), type_=sa.String(length=20), existing_nullable=False
        )
        batch_op.create_check_constraint(batch_op.f("ck_loan_state"), _in(NEW_STATES))
        batch_op.add_column(sa.Column("extension_declined_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("extension_declined_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("plan_revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("claim_note", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("claimed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_from", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("claim_decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claim_refused_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("claim_refusal_reason", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_loan_claimed_by_id_user_account"), "user_account", ["claimed_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_loan_claim_decided_by_id_user_account"), "user_account", ["claim_decided_by_id"], ["id"]
        )

    # every loan lent before this revision has its disbursement plan as revision 0; later
    # extensions were numbered 1, 2 … and stay the revisions they were
    op.execute(
        "UPDATE loan SET plan_revision = extension_count WHERE disbursed_on IS NOT NULL"
    )
    op.execute(
        "INSERT INTO loan_plan_revision (loan_id, number, cause, effective_on, recorded_by_id, recorded_at) "
        "SELECT id, 0, 'disbursement', disbursed_on, disbursed_by_id, updated_at FROM loan "
        "WHERE disbursed_on IS NOT NULL"
    )
    op.execute(
        "INSERT INTO loan_plan_revision (loan_id, number, cause, effective_on, recorded_by_id, recorded_at) "
        "SELECT DISTINCT s.loan_id, s.revision, 'extension', l.extended_on, l.extended_by_id, l.updated_at "
        "FROM loan_schedule_line s JOIN loan l ON l.id = s.loan_id WHERE s.revision > 0"
    )


def downgrade():
    with op.batch_alter_table("loan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_loan_claim_decided_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_loan_claimed_by_id_user_account"), type_="foreignkey")
        for column in (
            "claim_refusal_reason", "claim_refused_on", "claim_decided_by_id", "claimed_from", "claimed_by_id",
            "claimed_on", "claim_note", "plan_revision", "extension_declined_reason", "extension_declined_on",
        ):
            batch_op.drop_column(column)
        batch_op.drop_constraint(batch_op.f("ck_loan_state"), type_="check")
        batch_op.alter_column(
            "state", existing_type=sa.String(length=20), type_=sa.String(length=12), existing_nullable=False
        )
        batch_op.create_check_constraint(batch_op.f("ck_loan_state"), _in(OLD_STATES))
    with op.batch_alter_table("repayment", schema=None) as batch_op:
        batch_op.drop_column("prepay")
    with op.batch_alter_table("loan_plan_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_plan_revision_loan_id"))
    op.drop_table("loan_plan_revision")
