"""COPY writes awkward text and arrays back exactly as given."""
import pytest
from sqlalchemy import create_engine

from toolkit.bulk import copy_rows

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
