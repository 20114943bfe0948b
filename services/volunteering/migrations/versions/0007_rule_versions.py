"""the scoring rule versions as the scoring service announced them; assessments checked by them

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
S = "volunteering"


def upgrade():
    # what rule_version_published said (S7): the numbers an assessment needs, by version; the
    # version in force for a half year is the latest whose effective_from is not after it
    op.create_table(
        "rule_versions",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("effective_from", sa.String(6), nullable=False, unique=True),
        sa.Column("base_points", sa.Integer(), nullable=False),
        sa.Column("max_adjustment", sa.Integer(), nullable=False),
        sa.Column("override_min", sa.Integer(), nullable=False),
        sa.Column("override_max", sa.Integer(), nullable=False),
        sa.Column("max_project_score", sa.Integer(), nullable=False),
        sa.Column("heard_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        schema=S)
    # the ranges are the version's now (checked by the service); the table keeps only the outer
    # bound no version may pass (contracts.scoring.RULE_NUMBER_LIMIT)
    op.drop_constraint("adjustment_range", "signups", schema=S, type_="check")
    op.drop_constraint("override_range", "signups", schema=S, type_="check")
    op.create_check_constraint("adjustment_range", "signups", "adjustment BETWEEN -100 AND 100", schema=S)
    op.create_check_constraint("override_range", "signups", "override_points BETWEEN 0 AND 100", schema=S)


def downgrade():
    op.drop_constraint("override_range", "signups", schema=S, type_="check")
    op.drop_constraint("adjustment_range", "signups", schema=S, type_="check")
    op.create_check_constraint("adjustment_range", "signups", "adjustment BETWEEN -3 AND 3", schema=S)
    op.create_check_constraint("override_range", "signups", "override_points BETWEEN 0 AND 10", schema=S)
    op.drop_table("rule_versions", schema=S)
