"""SQLAlchemy mappings in the `scoring` schema."""
from sqlalchemy import (BigInteger, Boolean, CHAR, CheckConstraint, Column, Date, DateTime, ForeignKey, Index,
                        Integer, MetaData, Numeric, String, Table, UniqueConstraint, text)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.types import UserDefinedType

from toolkit.tables import inbox_table, outbox_table

SCHEMA = "scoring"


class PgSnapshot(UserDefinedType):
    """PostgreSQL's pg_snapshot, read and written as its text ('xmin:xmax:xip,...')."""
    cache_ok = True

    def get_col_spec(self, **kw):
        return "pg_snapshot"


class Xid8(UserDefinedType):
    """PostgreSQL's 64-bit transaction id."""
    cache_ok = True

    def get_col_spec(self, **kw):
        return "xid8"


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
    # the transaction that wrote it: a settlement's snapshot tells whether it was counted
    Column("recorded_xid", Xid8, server_default=text("pg_current_xact_id()")),
    CheckConstraint("holder_kind IN ('member','unit','project')", name="ledger_holder_kind"),
    Index("ledger_by_holder_period", "holder_kind", "holder_id", "period"),
    # settlement reads a community's half year from this index alone (an index-only scan)
    Index("ledger_settlement", "community_code", "period", "holder_kind", "holder_id",
          postgresql_include=["points", "member_unit_id", "id"]),
    # ... and a project's ratings and their corrections from this one (S1; migration 0003)
    Index("ledger_projects", "community_code", "period",
          postgresql_include=["id", "holder_id", "member_unit_id", "kind", "points", "corrects_entry_id"],
          postgresql_where=text("holder_kind = 'project'")),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

# Red accounts (§4.3.2), opened when registration opens them; a member's balance is what the
# ledger earned minus what the supermarket spent (I3). `earned` and `spent` are kept as the
# entries are written, in the same transaction; `python -m scoring.verify` rebuilds them.
accounts = Table(
    "accounts", metadata,
    Column("holder_kind", String(12), primary_key=True),      # member | unit
    Column("holder_id", BigInteger, primary_key=True),
    Column("account_no", String(20)),
    Column("name", String(100)),
    Column("unit_id", BigInteger),                             # a member's unit
    Column("district_code", CHAR(6)), Column("street_code", CHAR(9)), Column("community_code", CHAR(12)),
    # the acceptance its community and unit come from: events may arrive out of order (R7)
    Column("registration_id", BigInteger),
    Column("earned", Integer, nullable=False, server_default=text("0")),
    Column("spent", Integer, nullable=False, server_default=text("0")),
    Column("opened_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("spent >= 0 AND spent <= earned", name="accounts_balance_not_negative"),
    Index("accounts_by_community", "community_code", "holder_kind"),
)

# The rules a half year is scored under, fixed by its first settlement (S4–S5): a later rule
# change does not move a past period.
periods = Table(
    "periods", metadata,
    Column("period", String(6), primary_key=True),
    Column("rule_version", Integer, nullable=False),
    Column("fixed_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# The numbers of the rules (S1–S5), one row per version (S7): the city administrator publishes a
# version in force from a half year that has not started. Rows are never edited or deleted (a
# trigger refuses it, migration 0006), so a version read once may be kept in memory (domain.py).
rule_versions = Table(
    "rule_versions", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("effective_from", String(6), nullable=False, unique=True),   # 2027H1
    Column("base_points", Integer, nullable=False),
    Column("max_adjustment", Integer, nullable=False),
    Column("override_min", Integer, nullable=False),
    Column("override_max", Integer, nullable=False),
    Column("merit_min", Integer, nullable=False),
    Column("merit_max", Integer, nullable=False),
    Column("max_project_score", Integer, nullable=False),
    Column("points_per_star", Integer, nullable=False),
    Column("max_stars", Integer, nullable=False),
    Column("published_by", String(80), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("reason", String(200), nullable=False),
)

# Settlement of a community's half year (§3.5.4–5): draft -> reviewed (members' congress) ->
# published. A published settlement is never changed: a later correction makes revision n+1, with
# its reason, which goes through review and publication again and then supersedes it.
settlements = Table(
    "settlements", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("community_code", CHAR(12), nullable=False),
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("period", String(6), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", String(12), nullable=False),             # draft | reviewed | published | superseded
    Column("rule_version", Integer, nullable=False),
    Column("ledger_upto", BigInteger, nullable=False),         # entries with id <= this were counted
    Column("ledger_snapshot", PgSnapshot),                     # ... of those committed in this snapshot
    Column("reason", String(200)),                             # why a revision was made
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("computed_by", String(80), nullable=False),
    Column("reviewed_at", DateTime(timezone=True)), Column("reviewed_by", String(80)),
    Column("congress_date", Date), Column("congress_attendees", Integer), Column("congress_minutes", String(500)),
    Column("published_at", DateTime(timezone=True)), Column("published_by", String(80)),
    UniqueConstraint("community_code", "period", "revision", name="settlements_revision"),
    CheckConstraint("status IN ('draft','reviewed','published','superseded')", name="settlements_status"),
    Index("settlements_published", "period", "community_code", postgresql_where=text("status = 'published'")),
)

# A settlement's results: the line of register D.1's totals of each member with entries in the
# half year, and of each organization with rated projects. Names are read from the red accounts
# when shown; members and units with a red account here and nothing in the half year are listed
# with 0 when read. Stored as the settlement's lists, one row per settlement and holder kind,
# written whole by settlement.compute (migration 0005: a row per holder cost a quarter of a city's
# settlement); no foreign key, they are written with their settlement, in its transaction.
settlement_lists = Table(
    "settlement_lists", metadata,
    Column("settlement_id", BigInteger, primary_key=True),
    Column("holder_kind", String(12), primary_key=True),      # member | unit
    Column("holder_ids", ARRAY(BigInteger), nullable=False),
    Column("unit_ids", ARRAY(BigInteger), nullable=False),
    Column("points", ARRAY(Numeric(8, 1)), nullable=False),
    Column("stars", ARRAY(Integer), nullable=False),
    Column("entries", ARRAY(Integer), nullable=False),
)
# ... and read one row per holder through this view (never written)
settlement_results = Table(
    "settlement_results", metadata,
    Column("settlement_id", BigInteger),
    Column("holder_kind", String(12)),
    Column("holder_id", BigInteger),
    Column("unit_id", BigInteger),
    Column("points", Numeric(8, 1)),
    Column("stars", Integer),
    Column("entries", Integer),
)

# A settlement of many communities at once, split into one message per community (rule 7)
settlement_runs = Table(
    "settlement_runs", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("area_code", String(12), nullable=False),
    Column("period", String(6), nullable=False),
    Column("started_by", String(80), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("total", Integer, nullable=False),
)
run_communities = Table(
    "run_communities", metadata,
    Column("run_id", BigInteger, ForeignKey("settlement_runs.id"), primary_key=True),
    Column("community_code", CHAR(12), primary_key=True),
    Column("status", String(12), nullable=False, server_default=text("'pending'")),  # pending | drafted | skipped
    Column("note", String(200)),
    Column("finished_at", DateTime(timezone=True)),
)

# The volunteer service supermarket (§3.6.3)
goods = Table(
    "goods", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("community_code", CHAR(12), nullable=False),
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("name", String(60), nullable=False),
    Column("kind", String(10), nullable=False),                # goods | service
    Column("description", String(300), nullable=False, server_default=text("''")),
    Column("price_points", Integer, nullable=False),
    Column("stock", Integer, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_by", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("stock >= 0", name="goods_stock_not_negative"),
    CheckConstraint("price_points > 0", name="goods_price_positive"),
)
redemptions = Table(
    "redemptions", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("goods_id", BigInteger, ForeignKey("goods.id"), nullable=False),
    Column("community_code", CHAR(12), nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("points", Integer, nullable=False),
    Column("status", String(10), nullable=False),              # redeemed | cancelled
    Column("redeemed_by", String(80), nullable=False),
    Column("redeemed_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("cancelled_by", String(80)), Column("cancelled_at", DateTime(timezone=True)),
    Column("cancel_reason", String(200)),
    Index("redemptions_by_member", "member_id"),
    Index("redemptions_by_community", "community_code", "id"),
)
