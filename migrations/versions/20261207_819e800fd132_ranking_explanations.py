"""What decided each proposal's outcome, kept with the approved ranking (approved_rankings.explanations).

Revision ID: 819e800fd132
Revises: 1bb01a926a76
Create Date: 2026-12-07 03:31:36.277827
"""
from alembic import op
import sqlalchemy as sa


revision = '819e800fd132'
down_revision = '1bb01a926a76'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('approved_rankings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanations', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('approved_rankings', schema=None) as batch_op:
        batch_op.drop_column('explanations')
