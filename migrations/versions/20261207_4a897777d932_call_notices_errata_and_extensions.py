"""Dated notices on a published call: errata (avvisi di rettifica) and deadline extensions (proroghe).

Revision ID: 4a897777d932
Revises: 819e800fd132
Create Date: 2026-12-07 05:45:15.253153
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = '4a897777d932'
down_revision = '819e800fd132'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('previous_deadline', codesign.db.UTCDateTime(), nullable=True),
    sa.Column('new_deadline', codesign.db.UTCDateTime(), nullable=True),
    sa.Column('published_at', codesign.db.UTCDateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind <> 'erratum' OR (title IS NOT NULL AND text IS NOT NULL)", name=op.f('ck_call_notices_erratum_has_text')),
    sa.CheckConstraint("kind <> 'extension' OR (previous_deadline IS NOT NULL AND new_deadline IS NOT NULL)", name=op.f('ck_call_notices_extension_has_dates')),
    sa.CheckConstraint("kind IN ('erratum', 'extension')", name=op.f('ck_call_notices_kind_valid')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_call_notices_procedure_id_procedures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_call_notices_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_notices'))
    )
    with op.batch_alter_table('call_notices', schema=None) as batch_op:
        batch_op.create_index('ix_call_notices_procedure', ['procedure_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_call_notices_procedure')

    op.drop_table('call_notices')
