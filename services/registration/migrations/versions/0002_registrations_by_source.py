"""index member registrations by source (an import finds its own rows without a scan)

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("registrations_by_source", "member_registrations", ["source"], schema="registration")


def downgrade():
    op.drop_index("registrations_by_source", table_name="member_registrations", schema="registration")
