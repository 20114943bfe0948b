"""The gateway's own data, in the `gateway` schema: accounts, their sessions, and the audit log."""
from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index,
                        Integer, MetaData, String, Table, Text, text)
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from contracts.access import ROLES

SCHEMA = "gateway"
metadata = MetaData(schema=SCHEMA)
NOW = text("now()")

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),   # stored lower-case
    Column("display_name", String(60), nullable=False),
    Column("role", String(20), nullable=False),
    # the node the account is bound to: a district/street/community code, a unit id or a
    # member id ("" for the city); checked against the role by contracts.access.scope_problem
    Column("scope", String(20), nullable=False, server_default=""),
    Column("password_hash", Text, nullable=False),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    Column("disabled_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("created_by", String(64), nullable=False, server_default="system"),
    Column("password_changed_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("role IN (%s)" % ", ".join(f"'{r}'" for r in ROLES), name="accounts_role"),
    Index("accounts_by_role_scope", "role", "scope"),
)

# One row per login. The refresh token is stored as its SHA-256 only; each refresh replaces it
# (rotation), and presenting the previous one again revokes the session (a stolen token).
sessions = Table(
    "sessions", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("refresh_hash", String(64), nullable=False, unique=True),
    Column("previous_refresh_hash", String(64), index=True),
    Column("issued_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("refreshed_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", String(40)),
    Column("client_ip", String(64)),
    Column("user_agent", String(200)),
    Index("sessions_revoked_recently", "revoked_at", postgresql_where=text("revoked_at IS NOT NULL")),
)

# Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE, migration 0001; and the gateway's
# role may only INSERT and SELECT, migration 0002 and gateway/dbrole.py): who, in which
# role and scope, did what, when, from where, under which request id; for reads of personal
# data, whose (`subjects`, e.g. member:12) and which fields.
audit_log = Table(
    "audit_log", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("account_id", Integer),
    Column("username", String(64)),
    Column("role", String(20)),
    Column("scope", String(20)),
    Column("action", String(80), nullable=False),      # route name, or login / login_failed / logout...
    Column("method", String(8), nullable=False),
    Column("path", String(300), nullable=False),
    Column("status", Integer, nullable=False),
    Column("personal_data", Boolean, nullable=False, server_default=text("false")),
    Column("personal_fields", ARRAY(Text), nullable=False, server_default="{}"),
    Column("subjects", ARRAY(Text), nullable=False, server_default="{}"),
    Column("client_ip", String(64)),
    Column("request_id", String(64), nullable=False),
    Index("audit_by_time", "at"),
    Index("audit_by_account", "account_id", "at"),
    Index("audit_by_subject", "subjects", postgresql_using="gin"),
)
