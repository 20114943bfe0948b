"""documents: batch jobs and their parts (one per community), outbox and inbox

Revision ID: 0001
Revises:
"""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE documents.outbox (
            id bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, event_type varchar(80) NOT NULL,
            payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz,
            attempts integer NOT NULL DEFAULT 0, last_error text);
        CREATE INDEX ix_documents_outbox_id ON documents.outbox (id) WHERE sent_at IS NULL;
        CREATE TABLE documents.inbox (
            event_id uuid PRIMARY KEY, event_type varchar(80) NOT NULL, source varchar(40) NOT NULL,
            handled_at timestamptz NOT NULL DEFAULT now());

        -- a batch (a community's certificates, ...): who asked, under which scope, how far it is
        CREATE TABLE documents.jobs (
            id bigserial PRIMARY KEY, kind varchar(40) NOT NULL, area_code varchar(12) NOT NULL,
            params jsonb NOT NULL, requested_by varchar(80) NOT NULL, caller jsonb NOT NULL,
            status varchar(10) NOT NULL DEFAULT 'queued', total integer NOT NULL DEFAULT 0,
            done integer NOT NULL DEFAULT 0, result_key text, result_name text, result_sha256 char(64),
            result_bytes bigint, error text,
            created_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,
            CONSTRAINT jobs_status CHECK (status IN ('queued','running','done','failed')));
        CREATE INDEX jobs_by_area ON documents.jobs (area_code, created_at);
        -- one per community: the unit of work any documents process may take
        CREATE TABLE documents.job_parts (
            job_id bigint NOT NULL REFERENCES documents.jobs (id), part integer NOT NULL,
            community_code char(12) NOT NULL, status varchar(10) NOT NULL DEFAULT 'queued',
            total integer NOT NULL DEFAULT 0, done integer NOT NULL DEFAULT 0, file_key text, error text,
            PRIMARY KEY (job_id, part),
            CONSTRAINT job_parts_status CHECK (status IN ('queued','running','done','failed')));
    """)


def downgrade():
    op.execute("DROP TABLE documents.job_parts, documents.jobs, documents.inbox, documents.outbox")
