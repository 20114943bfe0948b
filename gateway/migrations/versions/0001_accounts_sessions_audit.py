"""accounts, sessions and the append-only audit log

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

ROLES = ("city_admin", "district_officer", "street_officer", "community_staff", "unit_officer", "member")


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(60), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False, server_default=""),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("created_by", sa.String(64), nullable=False, server_default="system"),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("role IN (%s)" % ", ".join(f"'{r}'" for r in ROLES), name="accounts_role"),
        schema="gateway")
    op.create_index("accounts_by_role_scope", "accounts", ["role", "scope"], schema="gateway")
    op.create_table(
        "sessions",
        sa.Column("id", postgresql.UUID(as_uuid=False), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("gateway.accounts.id"), nullable=False),
        sa.Column("refresh_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("previous_refresh_hash", sa.String(64)),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("refreshed_at", sa.DateTime(timezone=True)),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_reason", sa.String(40)),
        sa.Column("client_ip", sa.String(64)),
        sa.Column("user_agent", sa.String(200)),
        schema="gateway")
    op.create_index("ix_gateway_sessions_account_id", "sessions", ["account_id"], schema="gateway")
    op.create_index("ix_gateway_sessions_previous_refresh_hash", "sessions", ["previous_refresh_hash"], schema="gateway")
    op.create_index("sessions_revoked_recently", "sessions", ["revoked_at"], schema="gateway",
                    postgresql_where=sa.text("revoked_at IS NOT NULL"))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("account_id", sa.Integer()),
        sa.Column("username", sa.String(64)),
        sa.Column("role", sa.String(20)),
        sa.Column("scope", sa.String(20)),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("personal_data", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("personal_fields", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("subjects", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("client_ip", sa.String(64)),
        sa.Column("request_id", sa.String(64), nullable=False),
        schema="gateway")
    op.create_index("audit_by_time", "audit_log", ["at"], schema="gateway")
    op.create_index("audit_by_account", "audit_log", ["account_id", "at"], schema="gateway")
    op.create_index("audit_by_subject", "audit_log", ["subjects"], schema="gateway", postgresql_using="gin")
    # history is not edited: the log takes INSERTs only, whoever connects
    op.execute("""
        CREATE FUNCTION gateway.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'gateway.audit_log is append-only (% refused)', TG_OP;
        END $$""")
    op.execute("""CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON gateway.audit_log
                  FOR EACH ROW EXECUTE FUNCTION gateway.audit_log_is_append_only()""")
    op.execute("""CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON gateway.audit_log
                  FOR EACH STATEMENT EXECUTE FUNCTION gateway.audit_log_is_append_only()""")


def downgrade():
    op.drop_table("audit_log", schema="gateway")
    op.execute("DROP FUNCTION gateway.audit_log_is_append_only()")
    op.drop_table("sessions", schema="gateway")
    op.drop_table("accounts", schema="gateway")
