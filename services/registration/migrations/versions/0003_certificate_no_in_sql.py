"""certificate numbers in SQL: a form report is one statement (number, registration and event)

registration.certificate_no(year, community_code, seq) is domain.certificate_no in PL/pgSQL, the
ISO 7064 MOD 11-2 check character included; tests/unit check that the two agree.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE FUNCTION registration.certificate_no(year integer, community_code text, seq integer)
        RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        DECLARE
            digits text := lpad(seq::text, greatest(6, length(seq::text)), '0');
            body text := year::text || community_code || digits;
            p integer := 0;
            c integer;
        BEGIN
            FOR i IN 1 .. length(body) LOOP
                p := ((p + ascii(substr(body, i, 1)) - 48) * 2) % 11;
            END LOOP;
            c := (12 - p) % 11;
            RETURN year::text || '-' || community_code || '-' || digits || '-'
                   || CASE WHEN c = 10 THEN 'X' ELSE c::text END;
        END $$""")


def downgrade():
    op.execute("DROP FUNCTION registration.certificate_no(integer, text, integer)")
