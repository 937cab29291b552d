"""Notifications: what each person was told (the page "Notifiche"), unread until they open it. The messages
mailed before this revision stay in the outbox only.

Revision ID: 2e3e30b552df
Revises: 2d84b7d94241
Create Date: 2026-12-06 23:17:56.400449
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = '2e3e30b552df'
down_revision = '2d84b7d94241'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('created_at', codesign.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', codesign.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_person', ['user_id', 'read_at', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_person')

    op.drop_table('notifications')
