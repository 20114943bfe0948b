"""SQLAlchemy mappings in the `feedback` schema (migration 0001 makes them)."""
from sqlalchemy import (BigInteger, Boolean, CHAR, Column, DateTime, Integer, MetaData, Numeric, String, Table, Text,
                        text)
from sqlalchemy.dialects.postgresql import JSON, JSONB

from toolkit.tables import inbox_table, outbox_table

SCHEMA = "feedback"
metadata = MetaData(schema=SCHEMA)
NOW = text("now()")

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

# The published rows of Annex F (B1, §5.3.3) are the view `feedback.lines` (migration 0001),
# unpacked from each community's latest publication (`sources`): one per member with a result there
# (是否报到 是). A community's next publication replaces its lines whole. The members of a unit who
# did not report this year (是否报到 否) are registration's, added when a notice is read or released
# (notices.Live).

# where a unit with a released notice sits (registration's, as told at the release): the unit
# routes' scope check for the officers above it
units = Table(
    "units", metadata,
    Column("unit_id", BigInteger, primary_key=True),
    Column("name", String(100)), Column("party_org_name", String(100)),
    Column("district_code", CHAR(6)), Column("community_code", CHAR(12)),
)

# A notice as the district's organization department released it (Annex E): never edited after;
# the next revision (the lines changed: a revised or a late publication) says what changed and
# supersedes it. The unit reads it (recorded) and acknowledges it.
notices = Table(
    "notices", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("unit_id", BigInteger, nullable=False),
    Column("unit_name", String(100)), Column("party_org_name", String(100)),
    Column("period", String(6), nullable=False),
    Column("district_code", CHAR(6), nullable=False), Column("district_name", String(40)),
    Column("revision", Integer, nullable=False),
    Column("status", String(12), nullable=False),      # released | read | acknowledged | superseded
    Column("changes", JSONB, nullable=False),
    Column("fingerprint", CHAR(32), nullable=False),  # of its rows: the lines changed since, or not
    Column("released_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("released_by", String(80), nullable=False),
    Column("read_at", DateTime(timezone=True)), Column("read_by", String(80)),
    Column("acknowledged_at", DateTime(timezone=True)), Column("acknowledged_by", String(80)),
)
rows = Table(
    "rows", metadata,
    Column("notice_id", BigInteger, primary_key=True),
    Column("seq", Integer, primary_key=True),          # 序号
    Column("community_code", CHAR(12)), Column("community_name", String(60)),
    Column("member_id", BigInteger, nullable=False),
    Column("name", String(30)),
    Column("reported", Boolean, nullable=False),       # 是否报到
    Column("points", Numeric(8, 1)),                   # 积分情况
    Column("stars", Integer),                          # 评星情况
    Column("comment", String(300)),                    # 社区评语
)

# 社区评语: what a community's staff write of a member for a half year, before release
comments = Table(
    "comments", metadata,
    Column("period", String(6), primary_key=True),
    Column("community_code", CHAR(12), primary_key=True),
    Column("member_id", BigInteger, primary_key=True),
    Column("comment", String(300), nullable=False),
    Column("written_by", String(80), nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# the latest publication of each community's half year heard of: an older revision arriving late
# (or again) changes nothing
sources = Table(
    "sources", metadata,
    Column("community_code", CHAR(12), primary_key=True),
    Column("period", String(6), primary_key=True),
    Column("settlement_id", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("reason", String(200)),
    Column("member_lines", JSON, nullable=False),     # as published: {member_id: [...], name: [...], unit_id...}
    Column("heard_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# Objections (Annex G, §5.3.4–§5.3.5): submitted -> investigating (assigned to an 执行部门) ->
# investigated (findings) -> upheld | rejected, each step with who and when
objections = Table(
    "objections", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("objector_kind", String(8), nullable=False),   # member | unit
    Column("objector_id", BigInteger, nullable=False),
    Column("objector_name", String(100)),
    Column("member_id", BigInteger),                       # whose record is disputed
    Column("unit_id", BigInteger),
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("community_code", CHAR(12), nullable=False),
    Column("target", String(16), nullable=False),          # entry | missing_service | result
    Column("entry_id", BigInteger),
    Column("period", String(6), nullable=False),
    Column("content", String(500), nullable=False),        # 提出意见及建议内容
    Column("status", String(14), nullable=False),
    Column("raised_by", String(80), nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("department", String(60)), Column("assignee", String(30)),   # 执行部门
    Column("assigned_by", String(80)), Column("assigned_at", DateTime(timezone=True)),
    Column("findings", String(1000)),
    Column("investigated_by", String(80)), Column("investigated_at", DateTime(timezone=True)),
    Column("decision_reason", String(500)),                # 处理结果
    Column("points", Integer),
    Column("compensating_entry_id", BigInteger),
    Column("settlement_revision", Integer),
    Column("decided_by", String(80)), Column("decided_at", DateTime(timezone=True)),
)

# Changes of a member's details reported to the community (B2, §5.3.2)
detail_changes = Table(
    "detail_changes", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("member_id", BigInteger, nullable=False),
    Column("member_name", String(30)),
    Column("unit_id", BigInteger),
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("community_code", CHAR(12), nullable=False),
    Column("changes", JSONB, nullable=False),             # {"position": ..., "phone": ..., "service_intentions": [...]}
    Column("note", String(200)),
    Column("status", String(10), nullable=False),         # pending | applied | declined
    Column("reported_by", String(80), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("decided_by", String(80)), Column("decided_at", DateTime(timezone=True)),
    Column("decline_reason", String(200)),
)

# A unit asks a community's opinion on a member before an evaluation (§4.1 评先评优)
opinions = Table(
    "opinions", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("unit_id", BigInteger, nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("community_code", CHAR(12), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("status", String(10), nullable=False),         # requested | answered
    Column("requested_by", String(80), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("record", JSONB),                              # the member's record as the community answered it
    Column("opinion", Text),
    Column("answered_by", String(80)), Column("answered_at", DateTime(timezone=True)),
)
