"""Submission receipts signed with the administration's Ed25519 key, kept as issued

Revision ID: 8a41f0c2d6e9
Revises: 5d2b8e41c7a3
Create Date: 2026-12-06 00:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '8a41f0c2d6e9'
down_revision = '5d2b8e41c7a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('receipt')
