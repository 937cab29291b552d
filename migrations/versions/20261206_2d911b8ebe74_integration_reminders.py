"""Integration reminders: when the body was reminded, two days before an integration's due day (once). Requests
made before this revision are reminded by the next tick if their due day is that close.

Revision ID: 2d911b8ebe74
Revises: 2e3e30b552df
Create Date: 2026-12-06 23:35:42.115280
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = '2d911b8ebe74'
down_revision = '2e3e30b552df'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('integration_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', codesign.db.UTCDateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('integration_requests', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')

