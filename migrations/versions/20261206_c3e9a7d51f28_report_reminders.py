"""Reminders about reports still to submit: 15 days before, on the due date, 15 days after

Revision ID: c3e9a7d51f28
Revises: 8a41f0c2d6e9
Create Date: 2026-12-06 00:40:00
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = 'c3e9a7d51f28'
down_revision = '8a41f0c2d6e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('sent_at', codesign.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('before', 'due', 'after')", name=op.f('ck_report_reminders_kind_valid')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_reminders_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_reminders')),
    sa.UniqueConstraint('report_id', 'kind', name=op.f('uq_report_reminders_report_id_kind'))
    )
    with op.batch_alter_table('report_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_reminders_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_reminders_report_id'))
    op.drop_table('report_reminders')
