"""a settlement's results kept as its lists, one row per settlement and holder kind

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
S = "scoring"

# every reader keeps reading scoring.settlement_results, one row per holder, now a view
ROWS = """
    SELECT l.settlement_id, l.holder_kind, r.holder_id, r.unit_id, r.points, r.stars, r.entries
    FROM scoring.settlement_lists l
    CROSS JOIN LATERAL unnest(l.holder_ids, l.unit_ids, l.points, l.stars, l.entries)
        AS r(holder_id, unit_id, points, stars, entries)"""


def upgrade():
    # A settlement's results are written whole (a draft is computed again whole) and read whole
    # (a community's register) or many at once (boards): as one row per holder they cost a heap
    # tuple, its WAL record and a key entry each, a quarter of a city's settlement; as the
    # settlement's lists, two rows. The view keeps them one row per holder for every reader.
    op.execute("""
        CREATE TABLE scoring.settlement_lists (
            settlement_id bigint NOT NULL,
            holder_kind varchar(12) NOT NULL,
            holder_ids bigint[] NOT NULL,
            unit_ids bigint[] NOT NULL,
            points numeric(8,1)[] NOT NULL,
            stars int[] NOT NULL,
            entries int[] NOT NULL,
            PRIMARY KEY (settlement_id, holder_kind),
            CONSTRAINT settlement_lists_holder_kind CHECK (holder_kind IN ('member', 'unit')),
            CONSTRAINT settlement_lists_aligned CHECK (
                cardinality(unit_ids) = cardinality(holder_ids) AND cardinality(points) = cardinality(holder_ids)
                AND cardinality(stars) = cardinality(holder_ids) AND cardinality(entries) = cardinality(holder_ids)))""")
    op.execute("""
        INSERT INTO scoring.settlement_lists
        SELECT settlement_id, holder_kind, array_agg(holder_id ORDER BY holder_id),
               array_agg(unit_id ORDER BY holder_id), array_agg(points ORDER BY holder_id),
               array_agg(stars ORDER BY holder_id), array_agg(entries ORDER BY holder_id)
        FROM scoring.settlement_results GROUP BY settlement_id, holder_kind""")
    op.execute("DROP TABLE scoring.settlement_results")
    op.execute("CREATE VIEW scoring.settlement_results AS" + ROWS)
    # 0002's rule for the results (scoring.results_are_final), now on the lists: a published
    # settlement's are history
    op.execute("""CREATE TRIGGER results_final BEFORE UPDATE OR DELETE ON scoring.settlement_lists
                  FOR EACH ROW EXECUTE FUNCTION scoring.results_are_final()""")


def downgrade():
    op.execute("DROP VIEW scoring.settlement_results")
    op.execute("""
        CREATE TABLE scoring.settlement_results (
            settlement_id bigint NOT NULL, holder_kind varchar(12) NOT NULL, holder_id bigint NOT NULL,
            unit_id bigint, points numeric(8,1) NOT NULL, stars int NOT NULL, entries int NOT NULL,
            PRIMARY KEY (settlement_id, holder_kind, holder_id))""")
    op.execute("INSERT INTO scoring.settlement_results" + ROWS)
    op.execute("""CREATE TRIGGER results_final BEFORE UPDATE OR DELETE ON scoring.settlement_results
                  FOR EACH ROW EXECUTE FUNCTION scoring.results_are_final()""")
    op.execute("DROP TABLE scoring.settlement_lists")
