"""Supervision: presses (督办), spot-check samples and findings (暗访抽查), and the indexes the
stalled queue, the open presses and problems, and the audit search read.

Revision ID: 0030_supervision
Revises: 0010_money_loans
Create Date: 2026-11-30 04:00:57.277661

"""
import sqlalchemy as sa
from alembic import op

import loanflow.core.types


# revision identifiers, used by Alembic.
revision = '0030_supervision'
down_revision = "0010_money_loans"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('press',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_type', sa.String(length=10), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('pressed_by_id', sa.Integer(), nullable=False),
    sa.Column('pressed_at', loanflow.core.types.UtcDateTime(), nullable=False),
    sa.Column('answered_at', loanflow.core.types.UtcDateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answer_action', sa.String(length=40), nullable=True),
    sa.CheckConstraint("case_type in ('loan', 'subsidy')", name=op.f('ck_press_case_type')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_press_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['pressed_by_id'], ['user_account.id'], name=op.f('fk_press_pressed_by_id_user_account')),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_press_village_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press'))
    )
    with op.batch_alter_table('press', schema=None) as batch_op:
        batch_op.create_index('ix_press_case', ['case_type', 'case_id'], unique=False)
        batch_op.create_index('ix_press_open', ['village_code'], unique=False, postgresql_where=sa.text('answered_at is null'), sqlite_where=sa.text('answered_at is null'))
        batch_op.create_index('ix_press_pressed_at', ['pressed_at'], unique=False)

    op.create_table('spot_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('product', sa.String(length=10), nullable=False),
    sa.Column('opened_from', sa.Date(), nullable=False),
    sa.Column('opened_to', sa.Date(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=40), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=False),
    sa.Column('drawn_at', loanflow.core.types.UtcDateTime(), nullable=False),
    sa.CheckConstraint("product in ('loan', 'subsidy', 'all')", name=op.f('ck_spot_check_product')),
    sa.CheckConstraint('size >= 1', name=op.f('ck_spot_check_size')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['user_account.id'], name=op.f('fk_spot_check_drawn_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_spot_check_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check'))
    )
    with op.batch_alter_table('spot_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_region_code'), ['region_code'], unique=False)

    op.create_table('spot_check_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spot_check_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('case_type', sa.String(length=10), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', loanflow.core.types.UtcDateTime(), nullable=True),
    sa.Column('closed_at', loanflow.core.types.UtcDateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('close_note', sa.String(length=1000), nullable=False),
    sa.CheckConstraint("case_type in ('loan', 'subsidy')", name=op.f('ck_spot_check_item_case_type')),
    sa.CheckConstraint("result is null or result in ('fine', 'problem')", name=op.f('ck_spot_check_item_result')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['user_account.id'], name=op.f('fk_spot_check_item_checked_by_id_user_account')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_spot_check_item_closed_by_id_user_account')),
    sa.ForeignKeyConstraint(['spot_check_id'], ['spot_check.id'], name=op.f('fk_spot_check_item_spot_check_id_spot_check')),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_spot_check_item_village_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_item')),
    sa.UniqueConstraint('spot_check_id', 'case_type', 'case_id', name=op.f('uq_spot_check_item_spot_check_id_case_type_case_id')),
    sa.UniqueConstraint('spot_check_id', 'position', name=op.f('uq_spot_check_item_spot_check_id_position'))
    )
    with op.batch_alter_table('spot_check_item', schema=None) as batch_op:
        batch_op.create_index('ix_spot_check_item_open_problem', ['village_code'], unique=False, postgresql_where=sa.text("result = 'problem' and closed_at is null"), sqlite_where=sa.text("result = 'problem' and closed_at is null"))

    # plain CREATE INDEX on the existing tables: a batch copy on SQLite would drop the audit triggers
    op.create_index('ix_audit_event_actor_id', 'audit_event', ['actor_id'], unique=False)
    op.create_index('ix_audit_event_chain_time', 'audit_event', ['chain', 'occurred_at'], unique=False)
    waiting = sa.text('stage_due_on IS NOT NULL')
    for table in ('loan', 'subsidy_case'):
        op.create_index(f'ix_{table}_waiting_due', table, ['stage_due_on', 'id'], unique=False, postgresql_include=['village_code'], postgresql_where=waiting, sqlite_where=waiting)



def downgrade():
    op.drop_index('ix_subsidy_case_waiting_due', table_name='subsidy_case')
    op.drop_index('ix_loan_waiting_due', table_name='loan')
    op.drop_index('ix_audit_event_chain_time', table_name='audit_event')
    op.drop_index('ix_audit_event_actor_id', table_name='audit_event')

    with op.batch_alter_table('spot_check_item', schema=None) as batch_op:
        batch_op.drop_index('ix_spot_check_item_open_problem', postgresql_where=sa.text("result = 'problem' and closed_at is null"), sqlite_where=sa.text("result = 'problem' and closed_at is null"))

    op.drop_table('spot_check_item')
    with op.batch_alter_table('spot_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spot_check_region_code'))

    op.drop_table('spot_check')
    with op.batch_alter_table('press', schema=None) as batch_op:
        batch_op.drop_index('ix_press_pressed_at')
        batch_op.drop_index('ix_press_open', postgresql_where=sa.text('answered_at is null'), sqlite_where=sa.text('answered_at is null'))
        batch_op.drop_index('ix_press_case')

    op.drop_table('press')
