"""households, coverage and visits

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 05:47:36.647098
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('households',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('district_code', sa.CHAR(length=6), nullable=False),
    sa.Column('street_code', sa.CHAR(length=9), nullable=False),
    sa.Column('community_code', sa.CHAR(length=12), nullable=False),
    sa.Column('head_name', sa.String(length=30), nullable=False),
    sa.Column('home_address', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='volunteering'
    )
    op.create_index(op.f('ix_volunteering_households_community_code'), 'households', ['community_code'], unique=False, schema='volunteering')
    op.create_table('household_assignments',
    sa.Column('household_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['volunteering.households.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['volunteering.members.member_id'], ),
    sa.PrimaryKeyConstraint('household_id'),
    schema='volunteering'
    )
    op.create_index(op.f('ix_volunteering_household_assignments_member_id'), 'household_assignments', ['member_id'], unique=False, schema='volunteering')
    op.create_table('household_visits',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('household_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('kinds', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['volunteering.households.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['volunteering.members.member_id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='volunteering'
    )
    op.create_index(op.f('ix_volunteering_household_visits_household_id'), 'household_visits', ['household_id'], unique=False, schema='volunteering')


def downgrade():
    op.drop_table('household_visits', schema='volunteering')
    op.drop_table('household_assignments', schema='volunteering')
    op.drop_table('households', schema='volunteering')
