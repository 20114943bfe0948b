"""Prepared statements: named parameters numbered in order of first use, typed where told; each
connection prepares once, and what a rollback undoes is the data, not the preparation."""
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from toolkit.prepared import Prepared


def test_named_parameters_become_numbered_and_typed():
    p = Prepared("probe_numbering", "SELECT :b::text || :a, CAST(:a AS int) + :c WHERE :b IS NOT NULL", a="integer", c="integer")
    assert p.prepare == "PREPARE probe_numbering (text, integer, integer) AS SELECT $1::text || $2, CAST($2 AS int) + $3 WHERE $1 IS NOT NULL"
    assert p.execute == "EXECUTE probe_numbering (%(b)s, %(a)s, %(c)s)"
    with pytest.raises(ValueError, match="nope"):
        Prepared("probe_bad", "SELECT :a", nope="integer")


def test_quotes_and_comments_are_left_as_they_are():
    p = Prepared("probe_quoted", """SELECT '{"a":1}'::jsonb, ':not', "col:x", :x -- note :y
        /* :z */ WHERE 'it''s :w' <> :x""")
    assert p.prepare == """PREPARE probe_quoted (text) AS SELECT '{"a":1}'::jsonb, ':not', "col:x", $1 -- note :y
        /* :z */ WHERE 'it''s :w' <> $1"""


def test_one_name_one_statement():
    Prepared("probe_once", "SELECT 1")
    Prepared("probe_once", "SELECT 1")  # the same module imported twice: fine
    with pytest.raises(ValueError, match="probe_once"):
        Prepared("probe_once", "SELECT 2")


@pytest.mark.integration
def test_each_connection_prepares_once_and_keeps_it_through_a_rollback(database_url):
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    p = Prepared("probe_add", "SELECT :n + 1 AS next, :day + 1 AS after, 7 % 4 AS rest", n="integer", day="date")
    with engine.connect() as conn:
        with conn.begin() as tx:
            assert p(conn, {"n": 41, "day": "2026-02-28"}).one() == (42, date(2026, 3, 1), 3)
            tx.rollback()
        assert p(conn, {"n": 1, "day": "2026-12-31"}).one()[0] == 2  # no second PREPARE (it would fail)
        count = conn.execute(text("SELECT count(*) FROM pg_prepared_statements WHERE name = 'probe_add'")).scalar()
        assert count == 1
    engine.dispose()
