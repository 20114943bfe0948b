"""COPY for bulk writes (imports, generated cities, the outbox of a bulk job).

psycopg2 refuses COPY while a wait callback is installed, and eventlet's monkey_patch installs
one to make queries cooperative. COPY therefore runs with the callback lifted, process-wide:
`copy_rows` blocks the green hub for the length of its COPY; `CopyPipeline` runs its COPYs in a
real OS thread, so the hub (and the caller, preparing the next batch) goes on meanwhile, and
only the queries other green threads make in that window run without yielding.
"""
import io
import time
from contextlib import contextmanager

import psycopg2.extensions
from eventlet.patcher import original

_real_threading = original("threading")
_real_queue = original("queue")

# nested and overlapping lifts (a pipeline running, a copy_rows inside its window) must put the
# callback back only when the last of them ends
_lift = {"depth": 0, "saved": None}


def _lift_wait_callback():
    if _lift["depth"] == 0:
        _lift["saved"] = psycopg2.extensions.get_wait_callback()
        psycopg2.extensions.set_wait_callback(None)
    _lift["depth"] += 1


def _restore_wait_callback():
    _lift["depth"] -= 1
    if _lift["depth"] == 0:
        psycopg2.extensions.set_wait_callback(_lift["saved"])
        _lift["saved"] = None


@contextmanager
def _blocking():
    _lift_wait_callback()
    try:
        yield
    finally:
        _restore_wait_callback()


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


def copy_line(values):
    """One row of COPY text, newline included."""
    return "\t".join(copy_value(v) for v in values) + "\n"


def copy_rows(cursor, table, columns, rows):
    """COPY `rows` (tuples in the order of `columns`) into `table` on the cursor's transaction."""
    buf = io.StringIO()
    for row in rows:
        buf.write(copy_line(row))
    buf.seek(0)
    with _blocking():
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


class CopyPipeline:
    """COPYs and statements on one connection, run in order by a real OS thread while the caller
    prepares the next batch: PostgreSQL's share of a bulk write (parsing, indexes, WAL) overlaps
    the caller's Python (validating, formatting) on another core.

    The caller must not use the connection until `finish()` returns. A failed step is kept and
    raised by `finish()`; the steps after it are skipped (the transaction is lost anyway). Until
    then `failed` tells the caller to stop preparing batches."""

    MAX_QUEUED = 4      # batches waiting: the caller waits (cooperatively) beyond this
    COPY_CHUNK = 1 << 18

    def __init__(self, dbapi_connection):
        self._conn = dbapi_connection
        self._queue = _real_queue.Queue()
        self._error = None
        self._finished = False
        self.busy_seconds = 0.0   # time the thread spent in PostgreSQL: the work that overlapped
        _lift_wait_callback()
        self._thread = _real_threading.Thread(target=self._run, name="copy-pipeline", daemon=True)
        self._thread.start()

    @property
    def failed(self):
        return self._error is not None

    def copy(self, table, columns, text):
        """COPY `text` (lines made with copy_line) into `table`."""
        self._put(("copy", f"COPY {table} ({', '.join(columns)}) FROM STDIN", text))

    def execute(self, sql, params=None):
        self._put(("execute", sql, params))

    def _put(self, step):
        while self._queue.qsize() >= self.MAX_QUEUED and self._thread.is_alive():
            time.sleep(0.002)  # green under eventlet: the service's other workers run meanwhile
        self._queue.put(step)

    def finish(self):
        """Wait for every step; raise the first failure. Called again (or by `with`), it only
        waits: the callback is put back exactly once."""
        if not self._finished:
            self._finished = True
            self._queue.put(None)
            try:
                while self._thread.is_alive():
                    time.sleep(0.002)
            finally:
                _restore_wait_callback()
        if self._error is not None:
            raise self._error

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if not self._finished:  # left early (an error, a killed worker): skip what is queued, wait
            if kind is not None and self._error is None:
                self._error = RuntimeError("copy pipeline abandoned by its caller")
            try:
                self.finish()
            except BaseException:
                if kind is None:
                    raise

    def _run(self):
        cursor = self._conn.cursor()
        while True:
            step = self._queue.get()
            if step is None:
                return
            if self._error is not None:
                continue
            kind, sql, arg = step
            started = time.perf_counter()
            try:
                if kind == "copy":
                    cursor.copy_expert(sql, io.BytesIO(arg.encode("utf-8")), size=self.COPY_CHUNK)
                else:
                    cursor.execute(sql, arg)
            except BaseException as exc:  # handed to the caller by finish()
                self._error = exc
            self.busy_seconds += time.perf_counter() - started
