"""COPY for bulk writes (imports, generated cities, the outbox of a bulk job).

psycopg2 refuses COPY while a wait callback is installed, and eventlet's monkey_patch installs
one to make queries cooperative. COPY therefore runs with the callback lifted: the green hub is
blocked for the length of the COPY, so no other green thread can run, let alone see the change.
"""
import io
from contextlib import contextmanager

import psycopg2.extensions


@contextmanager
def _blocking():
    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    try:
        yield
    finally:
        psycopg2.extensions.set_wait_callback(callback)


def _escape(text):
    # four C-speed replace() calls beat str.translate, which walks Chinese text a character at a time
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _array(values):
    return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def copy_value(value):
    """A value in COPY's text format (NULL, booleans, arrays of text, escaped text)."""
    if type(value) is str:  # most values: the fast path first
        return _escape(value)
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (list, tuple)):
        value = _array(value)
    return _escape(str(value))


def copy_rows(cursor, table, columns, rows):
    """COPY `rows` (tuples in the order of `columns`) into `table` on the cursor's transaction."""
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(copy_value(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    with _blocking():
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)
