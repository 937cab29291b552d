"""Bodies with several members: a member's position (legal representative or member), requests to join a body,
the body's legal form and address. Every body's members so far are those who registered it: its legal representatives.

Revision ID: 2d84b7d94241
Revises: 49ad3eb4591b
Create Date: 2026-12-06 20:14:02.624607
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = '2d84b7d94241'
down_revision = '49ad3eb4591b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('join_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('created_at', codesign.db.UTCDateTime(), nullable=False),
    sa.Column('decided_at', codesign.db.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'approved', 'refused')", name=op.f('ck_join_requests_state_valid')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_join_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_join_requests_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_join_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_requests')),
    sa.UniqueConstraint('organization_id', 'user_id', name=op.f('uq_join_requests_organization_id_user_id'))
    )
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_requests_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Enum('legal_representative', 'member', name='position', native_enum=False, length=30), server_default='member', nullable=False))

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_form', sa.Enum('aps', 'odv', 'cooperativa_sociale', 'impresa_sociale', 'fondazione', 'associazione', 'altro', name='legalform', native_enum=False, length=30), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))

    op.execute("UPDATE memberships SET position = 'legal_representative' "
               "WHERE role = 'applicant' AND organization_id IS NOT NULL")



def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('legal_form')

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('position')

    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_join_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_join_requests_organization_id'))

    op.drop_table('join_requests')
