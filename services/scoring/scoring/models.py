"""SQLAlchemy mappings in the `scoring` schema."""
from sqlalchemy import (BigInteger, CHAR, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, MetaData,
                        String, Table, text)
from sqlalchemy.dialects.postgresql import UUID

from toolkit.tables import inbox_table, outbox_table

SCHEMA = "scoring"
metadata = MetaData(schema=SCHEMA)
NOW = text("now()")

# The ledger (ARCHITECTURE rule 3): every change of points is an entry with its source; entries
# are never edited or deleted (a trigger refuses it, migration 0001); a correction is a new entry
# that names the one it corrects. Balances and stars are derived from it.
ledger = Table(
    "ledger", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("holder_kind", String(12), nullable=False),        # member | unit | project
    Column("holder_id", BigInteger, nullable=False),
    Column("member_unit_id", BigInteger),                      # a member's unit, for the feedback to units
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("community_code", CHAR(12), nullable=False),
    Column("period", String(6), nullable=False),               # 2026H1 (S4, Asia/Shanghai)
    Column("kind", String(16), nullable=False),                # service | project_rating | merit | correction
    Column("points", Integer, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("source", String(80), nullable=False),              # "event:<uuid>" or "officer:<username>"
    Column("source_event_id", UUID(as_uuid=False), unique=True),  # at most one entry per event
    Column("corrects_entry_id", BigInteger, ForeignKey("ledger.id")),
    Column("rule_version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("holder_kind IN ('member','unit','project')", name="ledger_holder_kind"),
    Index("ledger_by_holder_period", "holder_kind", "holder_id", "period"),
    Index("ledger_by_community_period", "community_code", "period"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
