"""Bulk writes: COPY (generated cities, the outbox of a bulk job) and a statement pipeline (imports).

psycopg2 refuses COPY while a wait callback is installed, and eventlet's monkey_patch installs
one to make queries cooperative. COPY therefore runs with the callback lifted: the green hub is
blocked for the length of the COPY, so no other green thread can run, let alone see the change.
The callback is never lifted for longer: a green thread whose query then waited for a lock held
by a suspended one would block the hub, and the whole process, for good.
"""
import io
import time
from contextlib import contextmanager

import eventlet
import eventlet.queue
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


class StatementPipeline:
    """Statements on one connection, run in order by a green thread of their own while the caller
    prepares the next batch. Under eventlet psycopg2 waits cooperatively: while PostgreSQL works
    on one batch (parsing, indexes, WAL: on the other core), the caller's Python goes on with the
    next. The caller must leave the connection alone until `finish()` returns.

    The first failure is kept and raised by `finish()`; the statements after it are skipped (the
    transaction is lost anyway), and `failed` tells the caller to stop preparing them. Leaving
    the `with` block on an exception kills the green thread, in its query if need be: the
    connection is then unusable, and so is its transaction, which the caller rolls back."""

    MAX_QUEUED = 2  # statements waiting; the caller waits (cooperatively) beyond this

    def __init__(self, dbapi_connection):
        self._conn = dbapi_connection
        self._queue = eventlet.queue.LightQueue(self.MAX_QUEUED)
        self._error = None
        self.queued = self.done = 0
        self.busy_seconds = 0.0  # time the green thread waited for PostgreSQL: the overlapped work
        self._thread = eventlet.spawn(self._run)

    @property
    def failed(self):
        return self._error is not None

    def execute(self, sql, params=None):
        if self._error is not None or self._thread.dead:
            return
        self.queued += 1
        self._queue.put((sql, params))

    def finish(self):
        """Wait for every statement; raise the first failure."""
        if not self._thread.dead:
            self._queue.put(None)
            self._thread.wait()
        if self._error is not None:
            raise self._error
        if self.done != self.queued:  # the thread ended without saying why
            raise RuntimeError(f"statement pipeline ran {self.done} of {self.queued} statements")

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is not None and not self._thread.dead:
            self._thread.kill()

    def _run(self):
        cursor = None
        while True:
            step = self._queue.get()
            if step is None:
                return
            if self._error is not None:
                continue  # keep taking them, so that the caller never waits on a full queue
            started = time.perf_counter()
            try:
                cursor = cursor or self._conn.cursor()
                cursor.execute(*step)
                self.done += 1
            except Exception as exc:  # handed to the caller by finish()
                self._error = exc
            self.busy_seconds += time.perf_counter() - started
