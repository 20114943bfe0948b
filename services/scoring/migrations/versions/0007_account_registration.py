"""the acceptance a member's red account takes its community and unit from: a later one moves it,
an earlier one arriving late does not

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
S = "scoring"


def upgrade():
    op.add_column("accounts", sa.Column("registration_id", sa.BigInteger()), schema=S)


def downgrade():
    op.drop_column("accounts", "registration_id", schema=S)
