"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 02:07:04.704820
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_counters',
    sa.Column('community_code', sa.CHAR(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('community_code', 'year'),
    schema='registration'
    )
    op.create_table('districts',
    sa.Column('code', sa.CHAR(length=6), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('official_code', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.PrimaryKeyConstraint('code'),
    schema='registration'
    )
    op.create_table('inbox',
    sa.Column('event_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('event_type', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('event_id'),
    schema='registration'
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('event_type', sa.String(length=80), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_outbox_id'), 'outbox', ['id'], unique=False, schema='registration', postgresql_where=sa.text('sent_at IS NULL'))
    op.create_table('red_accounts',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('account_no', sa.String(length=20), nullable=False),
    sa.Column('holder_kind', sa.String(length=8), nullable=False),
    sa.Column('holder_id', sa.BigInteger(), nullable=False),
    sa.Column('community_code', sa.CHAR(length=12), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_no'),
    sa.UniqueConstraint('holder_kind', 'holder_id', name='one_red_account_per_holder'),
    schema='registration'
    )
    op.create_table('streets',
    sa.Column('code', sa.CHAR(length=9), nullable=False),
    sa.Column('district_code', sa.CHAR(length=6), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['registration.districts.code'], ),
    sa.PrimaryKeyConstraint('code'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_streets_district_code'), 'streets', ['district_code'], unique=False, schema='registration')
    op.create_table('communities',
    sa.Column('code', sa.CHAR(length=12), nullable=False),
    sa.Column('street_code', sa.CHAR(length=9), nullable=False),
    sa.Column('district_code', sa.CHAR(length=6), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('service_center_phone', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['street_code'], ['registration.streets.code'], ),
    sa.PrimaryKeyConstraint('code'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_communities_district_code'), 'communities', ['district_code'], unique=False, schema='registration')
    op.create_index(op.f('ix_registration_communities_street_code'), 'communities', ['street_code'], unique=False, schema='registration')
    op.create_table('invitations',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('street_code', sa.CHAR(length=9), nullable=False),
    sa.Column('district_code', sa.CHAR(length=6), nullable=False),
    sa.Column('unit_name', sa.String(length=100), nullable=False),
    sa.Column('credit_code', sa.CHAR(length=18), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('letter', sa.Text(), nullable=False),
    sa.Column('sent_by', sa.String(length=30), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['street_code'], ['registration.streets.code'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_invitations_street_code'), 'invitations', ['street_code'], unique=False, schema='registration')
    op.create_table('units',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('credit_code', sa.CHAR(length=18), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('party_org_name', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('community_code', sa.CHAR(length=12), nullable=False),
    sa.Column('street_code', sa.CHAR(length=9), nullable=False),
    sa.Column('district_code', sa.CHAR(length=6), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("type IN ('government','public_institution','research_institute','private_enterprise','social_organization')", name='unit_type'),
    sa.ForeignKeyConstraint(['community_code'], ['registration.communities.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credit_code'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_units_community_code'), 'units', ['community_code'], unique=False, schema='registration')
    op.create_table('import_jobs',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('submitted_by', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=12), server_default=sa.text("'queued'"), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=True),
    sa.Column('processed_rows', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('error_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('errors', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('community_code', sa.CHAR(length=12), nullable=False),
    sa.Column('street_code', sa.CHAR(length=9), nullable=False),
    sa.Column('district_code', sa.CHAR(length=6), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['registration.units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='registration'
    )
    op.create_table('members',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('id_number', sa.CHAR(length=18), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('gender', sa.String(length=6), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('party_join_date', sa.Date(), nullable=False),
    sa.Column('education', sa.String(length=10), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('home_address', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['registration.units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_number'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_members_unit_id'), 'members', ['unit_id'], unique=False, schema='registration')
    op.create_table('unit_registrations',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('community_code', sa.CHAR(length=12), nullable=False),
    sa.Column('street_code', sa.CHAR(length=9), nullable=False),
    sa.Column('district_code', sa.CHAR(length=6), nullable=False),
    sa.Column('contact_officer', sa.String(length=30), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('resources', sa.ARRAY(sa.Text()), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['registration.units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'year', name='one_unit_registration_per_year'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_unit_registrations_community_code'), 'unit_registrations', ['community_code'], unique=False, schema='registration')
    op.create_table('co_building_pairs',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('unit_registration_id', sa.BigInteger(), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('community_code', sa.CHAR(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('formed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['unit_registration_id'], ['registration.unit_registrations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_registration_id'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_co_building_pairs_community_code'), 'co_building_pairs', ['community_code'], unique=False, schema='registration')
    op.create_table('member_registrations',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('certificate_no', sa.String(length=32), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('community_code', sa.CHAR(length=12), nullable=False),
    sa.Column('street_code', sa.CHAR(length=9), nullable=False),
    sa.Column('district_code', sa.CHAR(length=6), nullable=False),
    sa.Column('community_choice', sa.String(length=10), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('gender', sa.String(length=6), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('education', sa.String(length=10), nullable=False),
    sa.Column('party_join_date', sa.Date(), nullable=False),
    sa.Column('position', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('home_address', sa.String(length=200), nullable=False),
    sa.Column('skills', sa.ARRAY(sa.Text()), nullable=False),
    sa.Column('other_skill', sa.String(length=50), nullable=True),
    sa.Column('service_intentions', sa.ARRAY(sa.Text()), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('unit_decision', sa.String(length=8), nullable=True),
    sa.Column('unit_officer', sa.String(length=30), nullable=True),
    sa.Column('unit_opinion_date', sa.Date(), nullable=True),
    sa.Column('unit_comment', sa.String(length=500), nullable=True),
    sa.Column('accepted_by', sa.String(length=30), nullable=True),
    sa.Column('accepted_by_phone', sa.String(length=20), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('red_account_no', sa.String(length=20), nullable=True),
    sa.CheckConstraint("status IN ('submitted','unit_approved','accepted','unit_rejected','transferred')", name='registration_status'),
    sa.ForeignKeyConstraint(['community_code'], ['registration.communities.code'], ),
    sa.ForeignKeyConstraint(['member_id'], ['registration.members.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['registration.units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('certificate_no'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_member_registrations_member_id'), 'member_registrations', ['member_id'], unique=False, schema='registration')
    op.create_index(op.f('ix_registration_member_registrations_unit_id'), 'member_registrations', ['unit_id'], unique=False, schema='registration')
    op.create_index('one_active_registration_per_year', 'member_registrations', ['member_id', 'year'], unique=True, schema='registration', postgresql_where=sa.text("status IN ('submitted','unit_approved','accepted')"))
    op.create_index('registrations_by_community_year', 'member_registrations', ['community_code', 'year', 'status'], unique=False, schema='registration')
    op.create_table('transfers',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('registration_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('new_unit_id', sa.BigInteger(), nullable=True),
    sa.Column('new_home_address', sa.String(length=200), nullable=True),
    sa.Column('new_community_code', sa.CHAR(length=12), nullable=True),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=30), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('new_registration_id', sa.BigInteger(), nullable=True),
    sa.Column('community_code', sa.CHAR(length=12), nullable=False),
    sa.Column('street_code', sa.CHAR(length=9), nullable=False),
    sa.Column('district_code', sa.CHAR(length=6), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['registration.members.id'], ),
    sa.ForeignKeyConstraint(['new_community_code'], ['registration.communities.code'], ),
    sa.ForeignKeyConstraint(['new_registration_id'], ['registration.member_registrations.id'], ),
    sa.ForeignKeyConstraint(['new_unit_id'], ['registration.units.id'], ),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.member_registrations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('registration_id'),
    schema='registration'
    )
    op.create_index(op.f('ix_registration_transfers_community_code'), 'transfers', ['community_code'], unique=False, schema='registration')
    op.create_index(op.f('ix_registration_transfers_member_id'), 'transfers', ['member_id'], unique=False, schema='registration')


def downgrade():
    op.drop_index(op.f('ix_registration_transfers_member_id'), table_name='transfers', schema='registration')
    op.drop_index(op.f('ix_registration_transfers_community_code'), table_name='transfers', schema='registration')
    op.drop_table('transfers', schema='registration')
    op.drop_index('registrations_by_community_year', table_name='member_registrations', schema='registration')
    op.drop_index('one_active_registration_per_year', table_name='member_registrations', schema='registration', postgresql_where=sa.text("status IN ('submitted','unit_approved','accepted')"))
    op.drop_index(op.f('ix_registration_member_registrations_unit_id'), table_name='member_registrations', schema='registration')
    op.drop_index(op.f('ix_registration_member_registrations_member_id'), table_name='member_registrations', schema='registration')
    op.drop_table('member_registrations', schema='registration')
    op.drop_index(op.f('ix_registration_co_building_pairs_community_code'), table_name='co_building_pairs', schema='registration')
    op.drop_table('co_building_pairs', schema='registration')
    op.drop_index(op.f('ix_registration_unit_registrations_community_code'), table_name='unit_registrations', schema='registration')
    op.drop_table('unit_registrations', schema='registration')
    op.drop_index(op.f('ix_registration_members_unit_id'), table_name='members', schema='registration')
    op.drop_table('members', schema='registration')
    op.drop_table('import_jobs', schema='registration')
    op.drop_index(op.f('ix_registration_units_community_code'), table_name='units', schema='registration')
    op.drop_table('units', schema='registration')
    op.drop_index(op.f('ix_registration_invitations_street_code'), table_name='invitations', schema='registration')
    op.drop_table('invitations', schema='registration')
    op.drop_index(op.f('ix_registration_communities_street_code'), table_name='communities', schema='registration')
    op.drop_index(op.f('ix_registration_communities_district_code'), table_name='communities', schema='registration')
    op.drop_table('communities', schema='registration')
    op.drop_index(op.f('ix_registration_streets_district_code'), table_name='streets', schema='registration')
    op.drop_table('streets', schema='registration')
    op.drop_table('red_accounts', schema='registration')
    op.drop_index(op.f('ix_registration_outbox_id'), table_name='outbox', schema='registration', postgresql_where=sa.text('sent_at IS NULL'))
    op.drop_table('outbox', schema='registration')
    op.drop_table('inbox', schema='registration')
    op.drop_table('districts', schema='registration')
    op.drop_table('certificate_counters', schema='registration')
