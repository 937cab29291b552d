"""People following a funding opportunity, reminded 15 and 3 days before its deadline

Revision ID: 69b14da29d59
Revises: 2b020fdc6536
Create Date: 2026-12-06 07:16:10.595713
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = '69b14da29d59'
down_revision = '2b020fdc6536'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opportunity_follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', codesign.db.UTCDateTime(), nullable=False),
    sa.Column('reminded_15_at', codesign.db.UTCDateTime(), nullable=True),
    sa.Column('reminded_3_at', codesign.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_follows_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_opportunity_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_follows')),
    sa.UniqueConstraint('opportunity_id', 'user_id', name=op.f('uq_opportunity_follows_opportunity_id_user_id'))
    )
    with op.batch_alter_table('opportunity_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_follows_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_follows_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('opportunity_follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_follows_user_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_follows_opportunity_id'))

    op.drop_table('opportunity_follows')
