"""The call's documents, its questions and clarifications, its contact and its own question deadline.

Revision ID: 21c5d9288637
Revises: d57e22a1a574
Create Date: 2026-12-07 02:25:52.643950
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = '21c5d9288637'
down_revision = 'd57e22a1a574'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', codesign.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('call', 'annex', 'form', 'act')", name=op.f('ck_call_documents_kind_valid')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_call_documents_procedure_id_procedures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_call_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_documents'))
    )
    with op.batch_alter_table('call_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_documents_procedure_id'), ['procedure_id'], unique=False)

    op.create_table('call_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('asked_at', codesign.db.UTCDateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', codesign.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint('(answer IS NULL) = (answered_at IS NULL)', name=op.f('ck_call_questions_answer_has_date')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_call_questions_answered_by_id_users')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_call_questions_asked_by_id_users')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_call_questions_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_questions'))
    )
    with op.batch_alter_table('call_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_questions_asked_by_id'), ['asked_by_id'], unique=False)
        batch_op.create_index('ix_call_questions_procedure', ['procedure_id', 'id'], unique=False)

    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('questions_until', codesign.db.UTCDateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('questions_until')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_email')

    with op.batch_alter_table('call_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_call_questions_procedure')
        batch_op.drop_index(batch_op.f('ix_call_questions_asked_by_id'))

    op.drop_table('call_questions')
    with op.batch_alter_table('call_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_documents_procedure_id'))

    op.drop_table('call_documents')
