"""COPY writes awkward text and arrays back exactly as given; the COPY pipeline runs its steps in\norder in a thread of its own, raises the first failure and gives eventlet's wait callback back."""
import time

import psycopg2.errors
import psycopg2.extensions
import pytest
from sqlalchemy import create_engine

from toolkit.bulk import CopyPipeline, copy_line, copy_rows

pytestmark = pytest.mark.integration

AWKWARD = ["tab\there", "new\nline", "back\\slash", 'quote"d', "carriage\rreturn", "中文，全角", r"\N", ""]


def test_awkward_values_survive_copy(database_url):
    engine = create_engine(database_url)
    with engine.begin() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute("CREATE TEMP TABLE t (s text, a text[], b boolean, n int) ON COMMIT DROP")
        rows = [(v, [v, "x,y", "{z}"], i % 2 == 0, None if i % 3 else i) for i, v in enumerate(AWKWARD)]
        copy_rows(cur, "t", ("s", "a", "b", "n"), rows)
        cur.execute("SELECT s, a, b, n FROM t")
        assert [tuple(r) for r in cur.fetchall()] == [tuple(r) for r in rows]
    engine.dispose()


def _pipeline_table(conn):
    cur = conn.connection.dbapi_connection.cursor()
    cur.execute("CREATE TEMP TABLE p (n int PRIMARY KEY, s text) ON COMMIT DROP")
    return cur


def test_a_pipeline_copies_and_executes_in_order_and_gives_the_callback_back(database_url):
    callback = psycopg2.extensions.get_wait_callback()
    assert callback is not None  # eventlet's, installed by monkey_patch (conftest): green queries
    engine = create_engine(database_url)
    with engine.begin() as conn:
        cur = _pipeline_table(conn)
        with CopyPipeline(conn.connection.dbapi_connection) as pipe:
            assert psycopg2.extensions.get_wait_callback() is None  # COPY refuses to run beside it
            for batch in range(5):
                pipe.copy("p", ("n", "s"), "".join(copy_line((batch * 10 + i, f"行\t{i}")) for i in range(10)))
                pipe.execute("UPDATE p SET s = s || '!' WHERE n BETWEEN %s AND %s", (batch * 10, batch * 10 + 9))
            pipe.finish()
        assert psycopg2.extensions.get_wait_callback() is callback
        cur.execute("SELECT count(*), count(*) FILTER (WHERE s LIKE '行\t%!') FROM p")
        assert cur.fetchone() == (50, 50)
        assert pipe.busy_seconds > 0
    engine.dispose()


def test_a_failed_step_is_raised_by_finish_and_the_steps_after_it_are_skipped(database_url):
    callback = psycopg2.extensions.get_wait_callback()
    engine = create_engine(database_url)
    with engine.connect() as conn:
        trans = conn.begin()
        cur = _pipeline_table(conn)
        pipe = CopyPipeline(conn.connection.dbapi_connection)
        pipe.copy("p", ("n", "s"), copy_line((1, "a")))
        pipe.copy("p", ("n", "s"), copy_line((1, "again")))  # the key is taken
        pipe.execute("SELECT pg_sleep(30)")                    # would make the test hang if run
        started = time.monotonic()
        with pytest.raises(psycopg2.errors.UniqueViolation):
            pipe.finish()
        assert time.monotonic() - started < 10 and pipe.failed and psycopg2.extensions.get_wait_callback() is callback
        trans.rollback()
    engine.dispose()


def test_leaving_a_pipeline_early_skips_what_is_queued_and_gives_the_callback_back(database_url):
    callback = psycopg2.extensions.get_wait_callback()
    engine = create_engine(database_url)
    with engine.connect() as conn:
        trans = conn.begin()
        _pipeline_table(conn)
        started = time.monotonic()
        with pytest.raises(KeyError):
            with CopyPipeline(conn.connection.dbapi_connection) as pipe:
                pipe.execute("SELECT pg_sleep(0.2)")
                pipe.execute("SELECT pg_sleep(30)")
                raise KeyError("the caller failed")
        assert time.monotonic() - started < 10
        assert psycopg2.extensions.get_wait_callback() is callback
        trans.rollback()
    engine.dispose()
