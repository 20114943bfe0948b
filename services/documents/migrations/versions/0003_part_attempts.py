"""documents: how many times a part has been tried (a transient failure is tried again)

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE documents.job_parts ADD COLUMN attempts integer NOT NULL DEFAULT 1")


def downgrade():
    op.execute("ALTER TABLE documents.job_parts DROP COLUMN attempts")
