"""The approved ranking keeps the anonymised scores it was computed from

Revision ID: 5d2b8e41c7a3
Revises: 3c1d7e5a9b20
Create Date: 2026-12-06 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5d2b8e41c7a3'
down_revision = '3c1d7e5a9b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('approved_rankings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scores', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('approved_rankings', schema=None) as batch_op:
        batch_op.drop_column('scores')
