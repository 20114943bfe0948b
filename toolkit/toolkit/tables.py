"""The outbox and inbox tables, made in each service's own schema by its own migrations."""
from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID


def outbox_table(metadata):
    """Events written in the business transaction, waiting for the relay (rule 2)."""
    return Table(
        "outbox", metadata,
        Column("id", BigInteger, primary_key=True),
        Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        Column("event_type", String(80), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
        Column("sent_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        # the relay scans only what is unsent; the index stays small however long the history
        Index(None, "id", postgresql_where=text("sent_at IS NULL")),
    )


def inbox_table(metadata):
    """Ids of events this service has handled, written with the handler's effect (rule 1)."""
    return Table(
        "inbox", metadata,
        Column("event_id", UUID(as_uuid=False), primary_key=True),
        Column("event_type", String(80), nullable=False),
        Column("source", String(40), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    )
