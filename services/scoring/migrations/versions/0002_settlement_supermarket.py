"""red accounts, half-year settlement, the supermarket

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "scoring"
NOW = sa.text("now()")


def upgrade():
    # settlement reads a community's half year from the index alone (an index-only scan)
    op.drop_index("ledger_by_community_period", "ledger", schema=S)
    op.create_index("ledger_settlement", "ledger", ["community_code", "period", "holder_kind", "holder_id"],
                    postgresql_include=["points", "member_unit_id", "id"], schema=S)
    op.create_table(
        "accounts",
        sa.Column("holder_kind", sa.String(12), primary_key=True),
        sa.Column("holder_id", sa.BigInteger(), primary_key=True),
        sa.Column("account_no", sa.String(20)),
        sa.Column("name", sa.String(100)),
        sa.Column("unit_id", sa.BigInteger()),
        sa.Column("district_code", sa.CHAR(6)), sa.Column("street_code", sa.CHAR(9)),
        sa.Column("community_code", sa.CHAR(12)),
        sa.Column("earned", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("spent", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint("spent >= 0 AND spent <= earned", name="accounts_balance_not_negative"),
        schema=S)
    op.create_index("accounts_by_community", "accounts", ["community_code", "holder_kind"], schema=S)
    op.create_table(
        "periods",
        sa.Column("period", sa.String(6), primary_key=True),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        schema=S)
    op.create_table(
        "settlements",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("community_code", sa.CHAR(12), nullable=False),
        sa.Column("district_code", sa.CHAR(6), nullable=False), sa.Column("street_code", sa.CHAR(9), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("ledger_upto", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(200)),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("computed_by", sa.String(80), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)), sa.Column("reviewed_by", sa.String(80)),
        sa.Column("congress_date", sa.Date()), sa.Column("congress_attendees", sa.Integer()),
        sa.Column("congress_minutes", sa.String(500)),
        sa.Column("published_at", sa.DateTime(timezone=True)), sa.Column("published_by", sa.String(80)),
        sa.UniqueConstraint("community_code", "period", "revision", name="settlements_revision"),
        sa.CheckConstraint("status IN ('draft','reviewed','published','superseded')", name="settlements_status"),
        schema=S)
    op.create_index("settlements_published", "settlements", ["period", "community_code"], schema=S,
                    postgresql_where=sa.text("status = 'published'"))
    op.create_table(
        "settlement_results",
        # no foreign key: written only with their settlement (settlement.draft); checked row by row it
        # cost a third of a community's settlement
        sa.Column("settlement_id", sa.BigInteger(), primary_key=True),
        sa.Column("holder_kind", sa.String(12), primary_key=True),
        sa.Column("holder_id", sa.BigInteger(), primary_key=True),
        sa.Column("unit_id", sa.BigInteger()),
        sa.Column("points", sa.Numeric(8, 1), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        schema=S)
    op.create_table(
        "settlement_runs",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("area_code", sa.String(12), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("started_by", sa.String(80), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("total", sa.Integer(), nullable=False),
        schema=S)
    op.create_table(
        "run_communities",
        sa.Column("run_id", sa.BigInteger(), sa.ForeignKey(f"{S}.settlement_runs.id"), primary_key=True),
        sa.Column("community_code", sa.CHAR(12), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False, server_default=sa.text("'pending'")),
        sa.Column("note", sa.String(200)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        schema=S)
    op.create_table(
        "goods",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("community_code", sa.CHAR(12), nullable=False),
        sa.Column("district_code", sa.CHAR(6), nullable=False), sa.Column("street_code", sa.CHAR(9), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("description", sa.String(300), nullable=False, server_default=sa.text("''")),
        sa.Column("price_points", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.text("true")),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint("stock >= 0", name="goods_stock_not_negative"),
        sa.CheckConstraint("price_points > 0", name="goods_price_positive"),
        schema=S)
    op.create_table(
        "redemptions",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("goods_id", sa.BigInteger(), sa.ForeignKey(f"{S}.goods.id"), nullable=False),
        sa.Column("community_code", sa.CHAR(12), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("redeemed_by", sa.String(80), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("cancelled_by", sa.String(80)), sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("cancel_reason", sa.String(200)),
        schema=S)
    op.create_index("redemptions_by_member", "redemptions", ["member_id"], schema=S)
    op.create_index("redemptions_by_community", "redemptions", ["community_code", "id"], schema=S)
    # a published settlement and its results are history: not edited, not deleted (a published one
    # may only be marked superseded by the revision published after it)
    op.execute("""
        CREATE FUNCTION scoring.settlement_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status = 'superseded' OR (OLD.status = 'published' AND (TG_OP = 'DELETE'
                    OR NEW.status <> 'superseded' OR NEW.revision <> OLD.revision
                    OR NEW.ledger_upto <> OLD.ledger_upto OR NEW.rule_version <> OLD.rule_version
                    OR NEW.published_at IS DISTINCT FROM OLD.published_at)) THEN
                RAISE EXCEPTION 'settlement % is published (% refused): make a revision', OLD.id, TG_OP;
            END IF;
            RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
        END $$""")
    op.execute("""CREATE TRIGGER settlement_final BEFORE UPDATE OR DELETE ON scoring.settlements
                  FOR EACH ROW EXECUTE FUNCTION scoring.settlement_is_final()""")
    op.execute("""
        CREATE FUNCTION scoring.results_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM scoring.settlements s WHERE s.id = OLD.settlement_id
                       AND s.status IN ('published', 'superseded')) THEN
                RAISE EXCEPTION 'results of published settlement % are final (% refused)', OLD.settlement_id, TG_OP;
            END IF;
            RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
        END $$""")
    op.execute("""CREATE TRIGGER results_final BEFORE UPDATE OR DELETE ON scoring.settlement_results
                  FOR EACH ROW EXECUTE FUNCTION scoring.results_are_final()""")


def downgrade():
    op.execute("DROP TRIGGER results_final ON scoring.settlement_results")
    op.execute("DROP TRIGGER settlement_final ON scoring.settlements")
    op.execute("DROP FUNCTION scoring.results_are_final()")
    op.execute("DROP FUNCTION scoring.settlement_is_final()")
    for table in ("redemptions", "goods", "run_communities", "settlement_runs", "settlement_results", "settlements",
                  "periods", "accounts"):
        op.drop_table(table, schema=S)
    op.drop_index("ledger_settlement", "ledger", schema=S)
    op.create_index("ledger_by_community_period", "ledger", ["community_code", "period"], schema=S)
