"""co-building projects, their status history and ratings

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
S = "volunteering"


def upgrade():
    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("district_code", sa.CHAR(6), nullable=False), sa.Column("street_code", sa.CHAR(9), nullable=False),
        sa.Column("community_code", sa.CHAR(12), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("expected_effects", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("links", postgresql.JSONB(), nullable=False),
        sa.Column("service_count", sa.Integer(), nullable=False),
        sa.Column("service_hours", sa.Numeric(8, 1), nullable=False),
        sa.Column("service_mode", sa.String(60), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="signed"),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        schema=S)
    op.create_index("ix_volunteering_projects_community_code", "projects", ["community_code"], schema=S)
    op.create_index("ix_volunteering_projects_unit_id", "projects", ["unit_id"], schema=S)
    op.create_table(
        "project_history",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("project_id", sa.BigInteger(), sa.ForeignKey(f"{S}.projects.id"), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        schema=S)
    op.create_index("ix_volunteering_project_history_project_id", "project_history", ["project_id"], schema=S)
    op.create_table(
        "project_ratings",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("project_id", sa.BigInteger(), sa.ForeignKey(f"{S}.projects.id"), nullable=False),
        sa.Column("rater", sa.String(10), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rated_by", sa.String(60), nullable=False),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("score BETWEEN 0 AND 30", name="project_score_range"),
        schema=S)
    op.create_index("ix_volunteering_project_ratings_project_id", "project_ratings", ["project_id"], schema=S)


def downgrade():
    op.drop_table("project_ratings", schema=S)
    op.drop_table("project_history", schema=S)
    op.drop_table("projects", schema=S)
