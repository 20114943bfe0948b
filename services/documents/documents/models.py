"""SQLAlchemy mappings in the `documents` schema (migration 0001 makes them). The service owns no
business data: only its batch jobs, what they have done, and where their files are kept."""
from sqlalchemy import BigInteger, CHAR, Column, DateTime, Integer, MetaData, String, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

from toolkit.tables import inbox_table, outbox_table

SCHEMA = "documents"
metadata = MetaData(schema=SCHEMA)
NOW = text("now()")

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

jobs = Table(
    "jobs", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("area_code", String(12), nullable=False),
    Column("params", JSONB, nullable=False),
    Column("requested_by", String(80), nullable=False),
    Column("caller", JSONB, nullable=False),   # who asked: its parts ask the other services as them
    Column("status", String(10), nullable=False, server_default="queued"),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("done", Integer, nullable=False, server_default="0"),
    Column("result_key", Text), Column("result_name", Text), Column("result_sha256", CHAR(64)),
    Column("result_bytes", BigInteger), Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("finished_at", DateTime(timezone=True)),
)

job_parts = Table(
    "job_parts", metadata,
    Column("job_id", BigInteger, primary_key=True),
    Column("part", Integer, primary_key=True),
    Column("community_code", CHAR(12), nullable=False),
    Column("status", String(10), nullable=False, server_default="queued"),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("done", Integer, nullable=False, server_default="0"),
    Column("file_key", Text), Column("error", Text),
    Column("attempts", Integer, nullable=False, server_default="1"),   # migration 0003
)

# a community's own wording of agreement C (§3.3.1), each change a new version (migration 0002)
agreement_templates = Table(
    "agreement_templates", metadata,
    Column("community_code", CHAR(12), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("sections", JSONB, nullable=False),
    Column("written_by", String(80), nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)
