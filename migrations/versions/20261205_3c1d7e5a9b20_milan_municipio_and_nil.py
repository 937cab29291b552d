"""Milan's projects: Municipio (1-9) and neighbourhood (NIL, 1-88)

Revision ID: 3c1d7e5a9b20
Revises: 106e192abb88
Create Date: 2026-12-05 14:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3c1d7e5a9b20'
down_revision = '106e192abb88'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipio', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('nil', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_projects_municipio_range'), 'municipio IS NULL OR (municipio >= 1 AND municipio <= 9)')
        batch_op.create_check_constraint(op.f('ck_projects_nil_range'), 'nil IS NULL OR (nil >= 1 AND nil <= 88)')


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_projects_nil_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_projects_municipio_range'), type_='check')
        batch_op.drop_column('nil')
        batch_op.drop_column('municipio')
