"""Accounts: when a person confirmed their e-mail address, and the privacy notice's version they accepted and when.
Accounts that already had a password before this revision are taken as confirmed since their creation (they were
made by an operator, or registered before the confirmation existed, and have been used since); an invited person
who has not yet chosen a password confirms by opening the invitation. No consent is invented for anyone.

Revision ID: 6e02fd444db1
Revises: 2d911b8ebe74
Create Date: 2026-12-06 23:50:28.287381
"""
from alembic import op
import sqlalchemy as sa

import codesign.db


revision = '6e02fd444db1'
down_revision = '2d911b8ebe74'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', codesign.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('privacy_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('privacy_accepted_at', codesign.db.UTCDateTime(), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at WHERE password_hash IS NOT NULL")
    with op.batch_alter_table('one_time_links', schema=None) as batch_op:  # the link that confirms an address
        batch_op.drop_constraint(op.f('ck_one_time_links_purpose_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_one_time_links_purpose_valid'),
                                         "purpose IN ('reset', 'invite', 'verify')")


def downgrade():
    op.execute("DELETE FROM one_time_links WHERE purpose = 'verify'")
    with op.batch_alter_table('one_time_links', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_one_time_links_purpose_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_one_time_links_purpose_valid'), "purpose IN ('reset', 'invite')")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('privacy_accepted_at')
        batch_op.drop_column('privacy_version')
        batch_op.drop_column('email_verified_at')

