"""The language each person reads the site and their mail in (users.locale; None: not chosen, Italian).

Revision ID: 1bb01a926a76
Revises: 21c5d9288637
Create Date: 2026-12-07 02:44:27.487700
"""
from alembic import op
import sqlalchemy as sa


revision = '1bb01a926a76'
down_revision = '21c5d9288637'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
