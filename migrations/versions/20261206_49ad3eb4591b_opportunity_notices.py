"""Opportunities proposed by the office to municipalities and bodies: who was told, once each

Revision ID: 49ad3eb4591b
Revises: 5ac0ad2b5f6c
Create Date: 2026-12-06 07:50:10.754943
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = '49ad3eb4591b'
down_revision = '5ac0ad2b5f6c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opportunity_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('municipality', sa.String(length=6), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('sent_at', codesign.db.UTCDateTime(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(municipality IS NULL) <> (organization_id IS NULL)', name=op.f('ck_opportunity_notices_one_party')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_notices_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_opportunity_notices_organization_id_organizations')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_opportunity_notices_sent_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_notices')),
    sa.UniqueConstraint('opportunity_id', 'municipality', name=op.f('uq_opportunity_notices_opportunity_id_municipality')),
    sa.UniqueConstraint('opportunity_id', 'organization_id', name=op.f('uq_opportunity_notices_opportunity_id_organization_id'))
    )
    with op.batch_alter_table('opportunity_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_notices_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_notices_organization_id'), ['organization_id'], unique=False)



def downgrade():
    with op.batch_alter_table('opportunity_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_notices_organization_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_notices_opportunity_id'))

    op.drop_table('opportunity_notices')
