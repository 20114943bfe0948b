"""each settlement keeps the snapshot its results were read under, each entry its transaction

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
S = "scoring"

# 0002's rule, and the snapshot is history too once published
FINAL = """
    CREATE OR REPLACE FUNCTION scoring.settlement_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status = 'superseded' OR (OLD.status = 'published' AND (TG_OP = 'DELETE'
                OR NEW.status <> 'superseded' OR NEW.revision <> OLD.revision
                OR NEW.ledger_upto <> OLD.ledger_upto OR NEW.rule_version <> OLD.rule_version
                {snapshot}OR NEW.published_at IS DISTINCT FROM OLD.published_at)) THEN
            RAISE EXCEPTION 'settlement % is published (% refused): make a revision', OLD.id, TG_OP;
        END IF;
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END $$"""


def upgrade():
    # ledger_upto alone cannot tell an entry that took a lower id and committed after the results
    # were read (two processes entering events at once); the snapshot and each entry's
    # transaction can (settlement._STALE). The entry's top-level transaction id, 64-bit, as
    # pg_visible_in_snapshot wants it (xmin is 32-bit and, under a savepoint, a subtransaction's).
    # Entries written before this have none: they are older than any snapshot taken from now on.
    op.execute("ALTER TABLE scoring.ledger ADD COLUMN recorded_xid xid8")
    op.execute("ALTER TABLE scoring.ledger ALTER COLUMN recorded_xid SET DEFAULT pg_current_xact_id()")
    op.execute("ALTER TABLE scoring.settlements ADD COLUMN ledger_snapshot pg_snapshot")
    op.execute(FINAL.format(snapshot="OR NEW.ledger_snapshot::text IS DISTINCT FROM OLD.ledger_snapshot::text\n                "))


def downgrade():
    op.execute(FINAL.format(snapshot=""))
    op.execute("ALTER TABLE scoring.settlements DROP COLUMN ledger_snapshot")
    op.execute("ALTER TABLE scoring.ledger DROP COLUMN recorded_xid")
