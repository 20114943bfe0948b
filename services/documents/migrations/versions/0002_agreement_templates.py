"""documents: a community's own wording of agreement C, kept as versions

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        -- §3.3.1: a community may adapt the agreement's wording; each change is a new version (the
        -- agreements printed before keep theirs), the newest is used for the next agreements
        CREATE TABLE documents.agreement_templates (
            community_code char(12) NOT NULL, version integer NOT NULL, sections jsonb NOT NULL,
            written_by varchar(80) NOT NULL, written_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (community_code, version));
    """)


def downgrade():
    op.execute("DROP TABLE documents.agreement_templates")
