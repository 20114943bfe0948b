"""the projects' entries of a community's half year, read from an index alone

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
S = "scoring"


def upgrade():
    # S1 at settlement: a project's ratings and their corrections. They are about 1% of the ledger,
    # scattered over the table; read through ledger_settlement each one cost a heap page. This
    # small partial index carries every column the settlement reads of them. Built CONCURRENTLY:
    # on a city's ledger a plain build would hold intake's inserts for its whole length.
    with op.get_context().autocommit_block():
        op.create_index("ledger_projects", "ledger", ["community_code", "period"],
                        postgresql_include=["id", "holder_id", "member_unit_id", "kind", "points", "corrects_entry_id"],
                        postgresql_where="holder_kind = 'project'", postgresql_concurrently=True, schema=S)


def downgrade():
    op.drop_index("ledger_projects", "ledger", schema=S)
