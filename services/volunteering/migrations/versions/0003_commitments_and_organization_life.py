"""commitments and organization life

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
S = "volunteering"


def _scope():
    return (sa.Column("district_code", sa.CHAR(6), nullable=False), sa.Column("street_code", sa.CHAR(9), nullable=False),
            sa.Column("community_code", sa.CHAR(12), nullable=False))


def upgrade():
    op.create_table(
        "commitments",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("member_id", sa.BigInteger(), sa.ForeignKey(f"{S}.members.member_id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        *_scope(),
        sa.Column("items", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Numeric(6, 1), nullable=False),
        sa.Column("mode", sa.String(40), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.UniqueConstraint("member_id", "year", name="one_commitment_a_year"),
        schema=S)
    op.create_index("ix_volunteering_commitments_community_code", "commitments", ["community_code"], schema=S)
    op.create_table(
        "organization_life",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        *_scope(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        schema=S)
    op.create_index("ix_volunteering_organization_life_community_code", "organization_life", ["community_code"], schema=S)
    op.create_table(
        "organization_life_attendance",
        sa.Column("session_id", sa.BigInteger(), sa.ForeignKey(f"{S}.organization_life.id"), primary_key=True),
        sa.Column("member_id", sa.BigInteger(), sa.ForeignKey(f"{S}.members.member_id"), primary_key=True),
        schema=S)


def downgrade():
    op.drop_table("organization_life_attendance", schema=S)
    op.drop_table("organization_life", schema=S)
    op.drop_table("commitments", schema=S)
