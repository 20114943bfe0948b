"""the points ledger, append-only

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "scoring"


def upgrade():
    op.create_table(
        "ledger",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("holder_kind", sa.String(12), nullable=False),
        sa.Column("holder_id", sa.BigInteger(), nullable=False),
        sa.Column("member_unit_id", sa.BigInteger()),
        sa.Column("district_code", sa.CHAR(6), nullable=False), sa.Column("street_code", sa.CHAR(9), nullable=False),
        sa.Column("community_code", sa.CHAR(12), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("source_event_id", postgresql.UUID(as_uuid=False), unique=True),
        sa.Column("corrects_entry_id", sa.BigInteger(), sa.ForeignKey(f"{S}.ledger.id")),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("holder_kind IN ('member','unit','project')", name="ledger_holder_kind"),
        schema=S)
    op.create_index("ledger_by_holder_period", "ledger", ["holder_kind", "holder_id", "period"], schema=S)
    op.create_index("ledger_by_community_period", "ledger", ["community_code", "period"], schema=S)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("event_id", postgresql.UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text()),
        schema=S)
    op.create_index("ix_scoring_outbox_id", "outbox", ["id"], schema=S, postgresql_where=sa.text("sent_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("event_id", postgresql.UUID(as_uuid=False), primary_key=True),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        schema=S)
    # history is not edited: a correction is a new entry that names the one it corrects
    op.execute("""
        CREATE FUNCTION scoring.ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'scoring.ledger is append-only (% refused); correct with a new entry', TG_OP;
        END $$""")
    op.execute("""CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON scoring.ledger
                  FOR EACH ROW EXECUTE FUNCTION scoring.ledger_is_append_only()""")
    op.execute("""CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON scoring.ledger
                  FOR EACH STATEMENT EXECUTE FUNCTION scoring.ledger_is_append_only()""")


def downgrade():
    op.drop_table("inbox", schema=S)
    op.drop_table("outbox", schema=S)
    op.drop_table("ledger", schema=S)
    op.execute("DROP FUNCTION scoring.ledger_is_append_only()")
