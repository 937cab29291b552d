"""Payments corrected by counter-entries: payment_reversals; a tranche has one active payment

Revision ID: 12facbd69c60
Revises: c3e9a7d51f28
Create Date: 2026-12-06 00:35:13
"""
from alembic import op
import sqlalchemy as sa
import codesign.db


revision = '12facbd69c60'
down_revision = 'c3e9a7d51f28'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_reversals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('amount', codesign.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('reversed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', codesign.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_reversals_amount_positive')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_reversals_payment_id_payments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_payment_reversals_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_reversals'))
    )
    with op.batch_alter_table('payment_reversals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_reversals_payment_id'), ['payment_id'], unique=False)

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_payments_proposal_id_tranche_number'), type_='unique')
        batch_op.create_index('uq_payments_active_tranche', ['proposal_id', 'tranche_number'], unique=True, sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))



def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('uq_payments_active_tranche', sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))
        batch_op.create_unique_constraint(batch_op.f('uq_payments_proposal_id_tranche_number'), ['proposal_id', 'tranche_number'])
        batch_op.drop_column('active')

    with op.batch_alter_table('payment_reversals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_reversals_payment_id'))

    op.drop_table('payment_reversals')
