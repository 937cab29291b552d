"""Applications to funding opportunities: a lead, partners, the state, the external project once funded

Revision ID: 5ac0ad2b5f6c
Revises: 69b14da29d59
Create Date: 2026-12-06 07:34:19.268675
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = '5ac0ad2b5f6c'
down_revision = '69b14da29d59'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opportunity_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('lead_municipality', sa.String(length=6), nullable=True),
    sa.Column('lead_organization_id', sa.Integer(), nullable=True),
    sa.Column('partner_municipalities', sa.JSON(), nullable=False),
    sa.Column('partner_organization_ids', sa.JSON(), nullable=False),
    sa.Column('requested_amount', codesign.db.Money(precision=14, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', codesign.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', codesign.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("state IN ('interested', 'submitted', 'funded', 'not_funded')", name=op.f('ck_opportunity_applications_state_valid')),
    sa.CheckConstraint('(lead_municipality IS NULL) <> (lead_organization_id IS NULL)', name=op.f('ck_opportunity_applications_one_lead')),
    sa.CheckConstraint('requested_amount IS NULL OR requested_amount >= 0', name=op.f('ck_opportunity_applications_requested_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_opportunity_applications_created_by_id_users')),
    sa.ForeignKeyConstraint(['lead_organization_id'], ['organizations.id'], name=op.f('fk_opportunity_applications_lead_organization_id_organizations')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_applications_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_opportunity_applications_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_applications')),
    sa.UniqueConstraint('project_id', name=op.f('uq_opportunity_applications_project_id'))
    )
    with op.batch_alter_table('opportunity_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_applications_lead_organization_id'), ['lead_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_applications_opportunity_id'), ['opportunity_id'], unique=False)



def downgrade():
    with op.batch_alter_table('opportunity_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_applications_opportunity_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_applications_lead_organization_id'))

    op.drop_table('opportunity_applications')
