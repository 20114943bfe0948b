"""the numbers of the scoring rules (S1–S5) as data: one row per version, never edited (S7)

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
S = "scoring"


def upgrade():
    op.create_table(
        "rule_versions",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("effective_from", sa.String(6), nullable=False, unique=True),
        sa.Column("base_points", sa.Integer(), nullable=False),
        sa.Column("max_adjustment", sa.Integer(), nullable=False),
        sa.Column("override_min", sa.Integer(), nullable=False),
        sa.Column("override_max", sa.Integer(), nullable=False),
        sa.Column("merit_min", sa.Integer(), nullable=False),
        sa.Column("merit_max", sa.Integer(), nullable=False),
        sa.Column("max_project_score", sa.Integer(), nullable=False),
        sa.Column("points_per_star", sa.Integer(), nullable=False),
        sa.Column("max_stars", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.String(80), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("reason", sa.String(200), nullable=False),
        # the contract checks the same (contracts.scoring.RuleVersionRequest); here so that no
        # row written another way can make stars divide by zero or a range run backwards
        sa.CheckConstraint(r"effective_from ~ '^\d{4}H[12]$'", name="rule_versions_period"),
        sa.CheckConstraint("points_per_star > 0 AND max_stars > 0 AND max_project_score > 0", name="rule_versions_positive"),
        sa.CheckConstraint("max_adjustment >= 0 AND 0 <= override_min AND override_min <= override_max "
                           "AND override_min <= base_points - max_adjustment AND base_points + max_adjustment <= override_max",
                           name="rule_versions_service_points"),
        sa.CheckConstraint("0 < merit_min AND merit_min <= merit_max", name="rule_versions_merit"),
        schema=S)
    # version 1 is what the code held before the rules became data (RULES S1–S5), in force from
    # before the platform's first half year
    op.execute("""
        INSERT INTO scoring.rule_versions (version, effective_from, base_points, max_adjustment, override_min,
                                           override_max, merit_min, merit_max, max_project_score, points_per_star,
                                           max_stars, published_by, reason)
        VALUES (1, '2000H1', 5, 3, 0, 10, 1, 20, 30, 10, 10, 'migration 0006',
                '《双报到》标准第3.5节的积分评星规则（第 1 版）')""")
    # a half year keeps the version it was settled under, and verify recomputes it with it: a
    # version that changed or vanished would change published results
    op.execute("""
        CREATE FUNCTION scoring.rule_versions_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'scoring.rule_versions is append-only (% refused); publish a new version', TG_OP;
        END $$""")
    op.execute("""CREATE TRIGGER rule_versions_append_only BEFORE UPDATE OR DELETE ON scoring.rule_versions
                  FOR EACH ROW EXECUTE FUNCTION scoring.rule_versions_are_final()""")
    op.execute("""CREATE TRIGGER rule_versions_no_truncate BEFORE TRUNCATE ON scoring.rule_versions
                  FOR EACH STATEMENT EXECUTE FUNCTION scoring.rule_versions_are_final()""")


def downgrade():
    op.drop_table("rule_versions", schema=S)
    op.execute("DROP FUNCTION scoring.rule_versions_are_final()")
