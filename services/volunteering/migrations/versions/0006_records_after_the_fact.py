"""records added after the fact, pending staff approval

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
S = "volunteering"
COLUMNS = (("late_from", sa.DateTime(timezone=True)), ("late_until", sa.DateTime(timezone=True)),
           ("late_note", sa.String(200)), ("late_status", sa.String(10)), ("late_decided_by", sa.String(64)),
           ("late_decided_at", sa.DateTime(timezone=True)))


def upgrade():
    for name, type_ in COLUMNS:
        op.add_column("signups", sa.Column(name, type_), schema=S)


def downgrade():
    for name, _ in reversed(COLUMNS):
        op.drop_column("signups", name, schema=S)
