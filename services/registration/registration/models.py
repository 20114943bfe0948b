"""SQLAlchemy mappings in the `registration` schema (Core tables: the use cases write SQL-shaped
code and bulk paths use COPY, so an ORM identity map would only be in the way)."""
from sqlalchemy import (ARRAY, BigInteger, Boolean, CHAR, CheckConstraint, Column, Date, DateTime,
                        ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text,
                        UniqueConstraint, text)
from sqlalchemy.dialects.postgresql import JSONB

from toolkit.tables import inbox_table, outbox_table

SCHEMA = "registration"
metadata = MetaData(schema=SCHEMA)

NOW = text("now()")

# --- the administrative tree (GB/T 2260 districts; streets and communities extend the code) ---

districts = Table(
    "districts", metadata,
    Column("code", CHAR(6), primary_key=True),
    Column("name", String(40), nullable=False),
    # district | county | county_city | development_zone
    Column("kind", String(20), nullable=False),
    # False for a zone the city runs as a district but GB/T 2260 gives no code of its own
    Column("official_code", Boolean, nullable=False, server_default=text("true")),
)

streets = Table(
    "streets", metadata,
    Column("code", CHAR(9), primary_key=True),
    Column("district_code", CHAR(6), ForeignKey("districts.code"), nullable=False, index=True),
    Column("name", String(60), nullable=False),
)

communities = Table(
    "communities", metadata,
    Column("code", CHAR(12), primary_key=True),
    Column("street_code", CHAR(9), ForeignKey("streets.code"), nullable=False, index=True),
    Column("district_code", CHAR(6), nullable=False, index=True),
    Column("name", String(60), nullable=False),
    Column("service_center_phone", String(20)),
)

# --- units (驻地单位党组织) and their yearly reporting (§3.1.1) -------------------------------

units = Table(
    "units", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("credit_code", CHAR(18), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("type", String(30), nullable=False),
    Column("party_org_name", String(100), nullable=False),
    Column("address", String(200), nullable=False),
    Column("community_code", CHAR(12), ForeignKey("communities.code"), nullable=False, index=True),
    Column("street_code", CHAR(9), nullable=False),
    Column("district_code", CHAR(6), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("type IN ('government','public_institution','research_institute',"
                    "'private_enterprise','social_organization')", name="unit_type"),
)

unit_registrations = Table(
    "unit_registrations", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("unit_id", BigInteger, ForeignKey("units.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("community_code", CHAR(12), nullable=False, index=True),
    Column("street_code", CHAR(9), nullable=False),
    Column("district_code", CHAR(6), nullable=False),
    Column("contact_officer", String(30), nullable=False),
    Column("contact_phone", String(20), nullable=False),
    Column("resources", ARRAY(Text), nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    UniqueConstraint("unit_id", "year", name="one_unit_registration_per_year"),  # R1
)

co_building_pairs = Table(
    "co_building_pairs", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("unit_registration_id", BigInteger, ForeignKey("unit_registrations.id"), nullable=False, unique=True),
    Column("unit_id", BigInteger, nullable=False),
    Column("community_code", CHAR(12), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("formed_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

invitations = Table(  # 邀请函, §4.3.1; whether the unit came is derived from unit_registrations
    "invitations", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("street_code", CHAR(9), ForeignKey("streets.code"), nullable=False, index=True),
    Column("district_code", CHAR(6), nullable=False),
    Column("unit_name", String(100), nullable=False),
    Column("credit_code", CHAR(18), nullable=False),
    Column("year", Integer, nullable=False),
    Column("letter", Text, nullable=False),
    Column("sent_by", String(30), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# --- members (在职党员) and their certificates (B.1) ----------------------------------------

members = Table(
    "members", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("id_number", CHAR(18), nullable=False, unique=True),
    Column("name", String(30), nullable=False),
    Column("gender", String(6), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("party_join_date", Date, nullable=False),
    Column("education", String(10), nullable=False),
    Column("unit_id", BigInteger, ForeignKey("units.id"), nullable=False, index=True),
    Column("position", String(50), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("home_address", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

ACTIVE = ("submitted", "unit_approved", "accepted")  # at most one of these per member and year (R5)
STATUSES = ACTIVE + ("unit_rejected", "transferred")

member_registrations = Table(
    "member_registrations", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("certificate_no", String(32), nullable=False, unique=True),
    Column("member_id", BigInteger, ForeignKey("members.id"), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("late", Boolean, nullable=False),  # R5: reported after March 31
    Column("source", String(40), nullable=False),
    Column("community_code", CHAR(12), ForeignKey("communities.code"), nullable=False),
    Column("street_code", CHAR(9), nullable=False),
    Column("district_code", CHAR(6), nullable=False),
    Column("community_choice", String(10), nullable=False),
    # the certificate as handed in (Annex B.1): a document, not the member's current data
    Column("unit_id", BigInteger, ForeignKey("units.id"), nullable=False, index=True),
    Column("name", String(30), nullable=False),
    Column("gender", String(6), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("education", String(10), nullable=False),
    Column("party_join_date", Date, nullable=False),
    Column("position", String(50), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("home_address", String(200), nullable=False),
    Column("skills", ARRAY(Text), nullable=False),
    Column("other_skill", String(50)),
    Column("service_intentions", ARRAY(Text), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    # the unit Party organization's opinion (单位党组织意见)
    Column("unit_decision", String(8)),
    Column("unit_officer", String(30)),
    Column("unit_opinion_date", Date),
    Column("unit_comment", String(500)),
    # the community's acceptance: the receipt B.2
    Column("accepted_by", String(30)),
    Column("accepted_by_phone", String(20)),
    Column("accepted_at", DateTime(timezone=True)),
    Column("red_account_no", String(20)),
    CheckConstraint("status IN ('submitted','unit_approved','accepted','unit_rejected','transferred')",
                    name="registration_status"),
    Index("one_active_registration_per_year", "member_id", "year", unique=True,
          postgresql_where=text("status IN ('submitted','unit_approved','accepted')")),
    Index("registrations_by_community_year", "community_code", "year", "status"),
    Index("registrations_by_source", "source"),
)

certificate_counters = Table(
    "certificate_counters", metadata,
    Column("community_code", CHAR(12), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_seq", Integer, nullable=False),
)

red_accounts = Table(  # R9, §4.3.2
    "red_accounts", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("account_no", String(20), nullable=False, unique=True),
    Column("holder_kind", String(8), nullable=False),
    Column("holder_id", BigInteger, nullable=False),
    Column("community_code", CHAR(12), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    UniqueConstraint("holder_kind", "holder_id", name="one_red_account_per_holder"),
)

transfers = Table(  # R7, §4.2
    "transfers", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("member_id", BigInteger, ForeignKey("members.id"), nullable=False, index=True),
    Column("registration_id", BigInteger, ForeignKey("member_registrations.id"), nullable=False, unique=True),
    Column("reason", String(20), nullable=False),
    Column("new_unit_id", BigInteger, ForeignKey("units.id")),
    Column("new_home_address", String(200)),
    Column("new_community_code", CHAR(12), ForeignKey("communities.code")),
    Column("notified_on", Date, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("recorded_by", String(30), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("new_registration_id", BigInteger, ForeignKey("member_registrations.id")),
    Column("community_code", CHAR(12), nullable=False, index=True),  # the old community
    Column("street_code", CHAR(9), nullable=False),
    Column("district_code", CHAR(6), nullable=False),
)

import_jobs = Table(
    "import_jobs", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("unit_id", BigInteger, ForeignKey("units.id"), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("submitted_by", String(30), nullable=False),
    # queued -> validating -> writing -> succeeded | failed
    Column("status", String(12), nullable=False, server_default=text("'queued'")),
    Column("total_rows", Integer),
    Column("processed_rows", Integer, nullable=False, server_default=text("0")),
    Column("error_count", Integer, nullable=False, server_default=text("0")),
    Column("errors", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("community_code", CHAR(12), nullable=False),  # the unit's, for scope checks
    Column("street_code", CHAR(9), nullable=False),
    Column("district_code", CHAR(6), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
