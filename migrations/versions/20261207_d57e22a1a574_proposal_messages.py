"""Messages about a proposal between the administration and the body: the thread on file.

Revision ID: d57e22a1a574
Revises: 6e02fd444db1
Create Date: 2026-12-07 00:09:22.472760
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = 'd57e22a1a574'
down_revision = '6e02fd444db1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposal_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', codesign.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("side IN ('body', 'admin')", name=op.f('ck_proposal_messages_side_valid')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_proposal_messages_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposal_messages_author_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_messages_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_messages'))
    )
    with op.batch_alter_table('proposal_messages', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_messages_thread', ['proposal_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('proposal_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_messages_thread')

    op.drop_table('proposal_messages')
