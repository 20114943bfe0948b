"""COPY writes awkward text and arrays back exactly as given; the COPY pipeline runs its steps in\norder in a thread of its own, raises the first failure and gives eventlet's wait callback back."""
import time

import eventlet
import psycopg2.errors
import psycopg2.extensions
import pytest
from sqlalchemy import create_engine

from toolkit.bulk import StatementPipeline, copy_rows

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


def test_a_pipeline_runs_its_statements_in_order_while_the_caller_goes_on(database_url):
    engine = create_engine(database_url)
    caller_ran = []
    with engine.begin() as conn:
        cur = _pipeline_table(conn)
        with StatementPipeline(conn.connection.dbapi_connection) as pipe:
            for batch in range(5):
                pipe.execute("SELECT pg_sleep(0.05); INSERT INTO p SELECT n, %s FROM generate_series(%s, %s) n",
                             (f"行{batch}", batch * 10, batch * 10 + 9))
                pipe.execute("UPDATE p SET s = s || '!' WHERE n BETWEEN %s AND %s", (batch * 10, batch * 10 + 9))
            while pipe.done < pipe.queued:  # the caller's own work, while the green thread waits on PostgreSQL
                caller_ran.append(pipe.done)
                eventlet.sleep(0.01)
            pipe.finish()
        cur.execute("SELECT count(*), count(*) FILTER (WHERE s LIKE '行%!') FROM p")
        assert cur.fetchone() == (50, 50)
    assert len(caller_ran) >= 3 and pipe.done == 10  # it ran while statements were still on their way
    assert psycopg2.extensions.get_wait_callback() is not None  # queries stayed green throughout
    engine.dispose()


def test_a_failed_statement_is_raised_by_finish_and_the_ones_after_it_are_skipped(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        trans = conn.begin()
        _pipeline_table(conn)
        pipe = StatementPipeline(conn.connection.dbapi_connection)
        pipe.execute("INSERT INTO p VALUES (1, 'a')")
        pipe.execute("INSERT INTO p VALUES (1, 'again')")  # the key is taken
        pipe.execute("SELECT pg_sleep(30)")                # would make the test hang if run
        pipe.execute("SELECT 1")
        started = time.monotonic()
        with pytest.raises(psycopg2.errors.UniqueViolation):
            pipe.finish()
        assert time.monotonic() - started < 10 and pipe.failed and pipe.done == 1
        trans.rollback()
    engine.dispose()


def test_leaving_a_pipeline_on_an_error_stops_its_statement(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        conn.begin()
        _pipeline_table(conn)
        started = time.monotonic()
        with pytest.raises(KeyError):
            with StatementPipeline(conn.connection.dbapi_connection) as pipe:
                pipe.execute("SELECT pg_sleep(30)")
                eventlet.sleep(0.1)  # the statement is running
                raise KeyError("the caller failed")
        assert time.monotonic() - started < 10 and pipe._thread.dead
        conn.invalidate()  # killed in its query: the connection is not to be used again
    engine.dispose()
