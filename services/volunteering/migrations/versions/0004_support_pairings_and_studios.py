"""support pairings and studios

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
S = "volunteering"


def _scope():
    return (sa.Column("district_code", sa.CHAR(6), nullable=False), sa.Column("street_code", sa.CHAR(9), nullable=False),
            sa.Column("community_code", sa.CHAR(12), nullable=False))


def upgrade():
    op.create_table(
        "support_pairings",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        *_scope(),
        sa.Column("resident_name", sa.String(30), nullable=False),
        sa.Column("resident_category", sa.String(10), nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("member_ids", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        schema=S)
    op.create_index("ix_volunteering_support_pairings_community_code", "support_pairings", ["community_code"], schema=S)
    op.create_table(
        "studios",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        *_scope(),
        sa.Column("member_id", sa.BigInteger(), sa.ForeignKey(f"{S}.members.member_id"), nullable=False, unique=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("photo_url", sa.String(300)),
        sa.Column("unit_name", sa.String(100), nullable=False),
        sa.Column("service_items", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("opening_hours", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        schema=S)
    op.create_index("ix_volunteering_studios_community_code", "studios", ["community_code"], schema=S)


def downgrade():
    op.drop_table("studios", schema=S)
    op.drop_table("support_pairings", schema=S)
