"""Scoring intake: service_completed events to committed ledger entries, against a raw consumer.

    .venv/bin/python bench/scoring_intake_bench.py                        # 50,000 events, raw, one, two
    .venv/bin/python bench/scoring_intake_bench.py --events 5000          # a quick check
    .venv/bin/python bench/scoring_intake_bench.py --scenarios one,two    # leave out the baseline
    .venv/bin/python bench/scoring_intake_bench.py --profile              # py-spy the scoring processes
    .venv/bin/python bench/scoring_intake_bench.py --wait-quiet 300       # a shared machine: wait for idle

Issue figure: "Intake: service-completed events to committed ledger entries, events/s with one
and with two scoring processes, against a raw kombu consumer that inserts one row per message
into PostgreSQL. Goal: at least 60% of the raw rate."

Isolation: PostgreSQL database `bench_scoring` (created if missing; schemas `scoring`, migrated
from services/scoring, and `bench_raw` dropped and rebuilt before every scenario: the ledger is
append-only, even TRUNCATE is refused), RabbitMQ vhost `sbd_bench_scoring` (deleted and
recreated), web ports 18683 and 18684 for the scoring processes, logs in /tmp/scoring_intake_bench.
Before starting consumers it waits (up to 5 minutes) for enough free PostgreSQL connections, 22 per
scoring process (config.yaml's 20 workers + 2), so that other work on the server cannot make a
scoring process fail mid-run with "too many clients".

Every scenario, one after the other:
  1. fresh schemas; the queue declared as its consumer declares it (for scoring, nameko's own
     queue `evt-volunteering-service_completed--scoring.on_service_completed`: durable, bound
     to the topic exchange `volunteering.events` with routing key `service_completed`);
  2. N service_completed events published into it with no consumer running (py-amqp, publisher
     confirms per 1,000, messages built as toolkit's Relay builds them: JSON body, persistent,
     message_id = event_id; not timed). Events have distinct event ids, 20,000 members, 80
     communities (410106001001...), served_until spread over 2026H1, adjustments -3..+3 and 2% of
     special cases with override points; every one follows the rules, so each must become one entry;
  3. the consumer process(es) started at once:
       raw  one process of this script (--raw-consumer): a plain kombu Consumer, prefetch 100, per
            message json-decoded, INSERT INTO bench_raw.events (event_id uuid primary key, payload
            jsonb, received_at timestamptz default now()) and COMMIT (psycopg2, synchronous
            commit as the server is configured), then ack;
       one  one `nameko run --config config.yaml scoring.service`, started as deploy/local/run.sh
            starts it (config.yaml's max_workers, i.e. prefetch 20; OUTBOX_RELAY as deployed);
       two  two such processes on the same queue (competing consumers).
     The bench polls count(*) every 0.5 s until the table holds N rows.

The figure: (N - 1) / (last row's time - first row's time), both read from the rows (ledger
`recorded_at` and bench_raw `received_at`, both PostgreSQL's now(), i.e. the start of the row's
transaction). The queue is full when the consumers start, so this window is the steady intake
without the processes' start-up (imports, connections, queue declarations: printed beside it as
"first row after launch"). With two processes the second may join a little after the first; the
gap between their /health answers is printed ("start skew"): over a window of tens of seconds it
moves the figure by less than the run-to-run noise.

Besides events/s it prints the CPU of each process during the window (the poll-to-poll window of
first row to N rows: this process, the consumers, PostgreSQL's backends of bench_scoring and its
shared processes, RabbitMQ; gateway_bench's CpuMeter), and from pg_stat_database over the whole
scenario PostgreSQL's commits per event (this bench's own polls subtracted; the scoring relay's
poll, once a second per process, left in), rollbacks and sessions opened. On a shared machine,
--wait-quiet makes each scenario wait for an idle machine first; a CPU line that says other
processes used the CPU marks a figure not to compare. With --profile (py-spy, from /tmp/pyspy/bin
or PATH) the figures are lower: py-spy runs on the same cores.

Exit status 1 if a table does not hold exactly N rows (N distinct event ids; for scoring also N
inbox rows, the events' total points, and every member's red account credited with exactly their
entries, where the schema has scoring.accounts), or the queue is not empty afterwards. The 60% goal is
printed PASS/FAIL for one and for two processes and does not change the exit status.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
import warnings
from datetime import datetime, timedelta
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)  # eventlet's notice, via nameko

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway_bench as gb  # noqa: E402  (processes, health, CPU accounting)

HOST, ROOT, BIN = gb.HOST, gb.ROOT, gb.BIN
SERVER = {"host": "127.0.0.1", "port": 5432, "user": "root"}

# Module constants read when the helpers run: scoring_kill_bench.py points them at its own.
DB_NAME = "bench_scoring"
VHOST = "sbd_bench_scoring"
PORTS = [18683, 18684]  # the scoring processes' web ports, one each
LOG_DIR = Path(os.environ.get("SCORING_INTAKE_BENCH_LOGS", "/tmp/scoring_intake_bench"))


def db_url():
    return f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"


def amqp_uri():
    return f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"


def point_gb_here():
    """gateway_bench's helpers read its module constants when they run: point them here."""
    gb.DB_NAME, gb.DB_URL, gb.VHOST, gb.AMQP_URI, gb.LOG_DIR = DB_NAME, db_url(), VHOST, amqp_uri(), LOG_DIR


point_gb_here()

SOURCE, EVENT = "volunteering", "service_completed"
EXCHANGE = f"{SOURCE}.events"
# nameko 2.14's name for a SERVICE_POOL event handler's queue (nameko/events.py, EventHandler.setup)
SCORING_QUEUE = f"evt-{SOURCE}-{EVENT}--scoring.on_service_completed"
RAW_QUEUE = "bench_raw.service_completed"
RAW_PREFETCH = 100
GOAL_RATIO = 0.60
POLL = 0.5
WAIT_CONNECTIONS = 300  # s, see wait_connections
say = gb.say


# --- database and broker ---------------------------------------------------------------------

def connect(autocommit=True):
    import psycopg2
    conn = psycopg2.connect(dbname=DB_NAME, **SERVER)
    conn.autocommit = autocommit
    return conn


def sql(query, params=None):
    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def service_env(port, **extra):
    """A scoring process's environment: the bench's database, vhost and web port. config.yaml
    reads SCORING_DATABASE_URL (DATABASE_URL is set too, for toolkit.migrate); the worker count
    is config.yaml's own, as deployed."""
    env = dict(os.environ)
    env.update(AMQP_URI=amqp_uri(), DATABASE_URL=db_url(), SCORING_DATABASE_URL=db_url(),
               SCORING_WEB_ADDRESS=f"{HOST}:{port}", PYTHONWARNINGS="ignore::DeprecationWarning",
               PYTHONUNBUFFERED="1")
    env.pop("SCORING_MAX_WORKERS", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def prepare_database(raw_table=True):
    """Create the database if missing; fresh `scoring` (migrated) and `bench_raw` schemas."""
    import psycopg2
    admin = psycopg2.connect(dbname="root", **SERVER)
    admin.autocommit = True  # CREATE DATABASE cannot run in a transaction
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    admin.close()
    sql("DROP SCHEMA IF EXISTS scoring CASCADE; DROP SCHEMA IF EXISTS bench_raw CASCADE")
    done = subprocess.run([str(BIN / "python"), "-m", "toolkit.migrate", "services/scoring"], cwd=ROOT,
                          env=service_env(PORTS[0]), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"migrating services/scoring failed:\n{done.stdout}{done.stderr}")
    if raw_table:
        sql("CREATE SCHEMA bench_raw; CREATE TABLE bench_raw.events (event_id uuid PRIMARY KEY, "
            "payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())")


SCORING_CONNECTIONS = 22  # a scoring process's pool at most: config.yaml's max_workers (20) + 2 (toolkit.db)


def free_connections():
    """Connections PostgreSQL would still accept from a non-superuser's point of view."""
    ((limit, reserved, used),) = sql("SELECT current_setting('max_connections')::int, "
                                     "current_setting('superuser_reserved_connections')::int, "
                                     "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')")
    return limit - reserved - used


def wait_connections(needed, timeout):
    """The scoring processes open up to SCORING_CONNECTIONS each under load; on a machine where
    other work holds many connections they would fail mid-run with "too many clients". Wait up
    to `timeout` s for `needed` free slots, else stop with a clear message."""
    deadline = time.monotonic() + timeout
    free = free_connections()
    if free < needed:
        say(f"  waiting for {needed} free PostgreSQL connections ({free} free of max_connections; "
            f"other work holds the rest) ...")
    while free < needed:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {free} PostgreSQL connections free, {needed} needed: wait for the other "
                               f"work to end or raise max_connections")
        time.sleep(2)
        free = free_connections()


def prepare_broker():
    point_gb_here()
    gb.prepare_broker()


class Broker:
    """One py-amqp connection of the bench's own: declares queues, publishes, counts."""

    def __init__(self):
        import amqp
        self.amqp = amqp
        self.conn = amqp.Connection(host="127.0.0.1:5672", userid="guest", password="guest", virtual_host=VHOST)
        self.conn.connect()
        self.ch = self.conn.channel()
        # as nameko declares it (nameko.standalone.events.get_event_exchange)
        self.ch.exchange_declare(EXCHANGE, "topic", durable=True, auto_delete=False)
        self.ch.confirm_select()
        self.unconfirmed = set()
        self.nacked = 0
        self.tag = 0
        self.ch.events["basic_ack"].add(self._on_ack)
        self.ch.events["basic_nack"].add(self._on_nack)

    def _on_ack(self, tag, multiple):
        if multiple:
            self.unconfirmed = {t for t in self.unconfirmed if t > tag}
        else:
            self.unconfirmed.discard(tag)

    def _on_nack(self, tag, multiple):
        self.nacked += 1
        self._on_ack(tag, multiple)

    def declare(self, queue):
        """Durable, not auto-deleted, no arguments: what nameko declares for the handler's queue."""
        self.ch.queue_declare(queue, durable=True, auto_delete=False)
        self.ch.queue_bind(queue, EXCHANGE, routing_key=EVENT)

    def ready(self, queue):
        return self.ch.queue_declare(queue, passive=True).message_count

    def delete(self, queue):
        self.ch.queue_delete(queue)

    def publish(self, events, batch=1000):
        """Each event as toolkit's Relay publishes it; confirms awaited per batch."""
        from toolkit.outbox import to_json
        for i in range(0, len(events), batch):
            for e in events[i:i + batch]:
                message = self.amqp.Message(to_json(e), content_type="application/json", content_encoding="utf-8",
                                            delivery_mode=2, message_id=e["event_id"], type=EVENT,
                                            timestamp=int(time.time()))
                self.ch.basic_publish(message, exchange=EXCHANGE, routing_key=EVENT)
                self.tag += 1
                self.unconfirmed.add(self.tag)
            deadline = time.monotonic() + 30
            while self.unconfirmed:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(self.unconfirmed)} publishes not confirmed in 30 s")
                self.conn.drain_events(timeout=5)
        if self.nacked:
            raise RuntimeError(f"the broker nacked {self.nacked} publishes")

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass


def queue_depth(queue):
    """(ready, unacknowledged, consumers) of a queue, from rabbitmqctl (the unacknowledged
    messages are not in a passive declare's answer)."""
    out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", VHOST, "name", "messages_ready",
                          "messages_unacknowledged", "consumers"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        fields = line.split("\t")
        if fields[0] == queue and len(fields) == 4:
            return tuple(int(x) for x in fields[1:])
    return None


# --- the events ----------------------------------------------------------------------------

COMMUNITIES = [f"{d}{s:03d}{c:03d}" for d in ("410106", "410105") for s in range(1, 6) for c in range(1, 9)]


def make_events(n, seed=2026):
    """n valid service_completed events (contracts.events.EXAMPLES' shape), distinct event ids,
    deterministic for a seed."""
    from contracts.events import EXAMPLES
    from toolkit.config import CITY_TZ
    rng = random.Random(seed)
    example = EXAMPLES[(SOURCE, EVENT)]
    h1 = datetime(2026, 1, 1, tzinfo=CITY_TZ)
    span = (datetime(2026, 6, 30, 18, tzinfo=CITY_TZ) - h1).total_seconds() - 4 * 3600
    events = []
    for i in range(n):
        code = COMMUNITIES[rng.randrange(len(COMMUNITIES))]
        until = h1 + timedelta(seconds=4 * 3600 + rng.uniform(0, span))
        hours = rng.choice((1.0, 1.5, 2.0, 2.5, 3.0))
        assessed = until + timedelta(minutes=rng.randrange(10, 120))
        adjustment = rng.randint(-3, 3)
        override, reason = (rng.randint(0, 10), "因公受伤仍坚持完成服务") if rng.random() < 0.02 else (None, None)
        events.append(dict(
            example, event_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), occurred_at=assessed.isoformat(),
            district_code=code[:6], street_code=code[:9], community_code=code,
            activity_id=1 + rng.randrange(3000), activity_kind="regular", festival=None,
            member_id=100_000 + rng.randrange(20_000), unit_id=1 + rng.randrange(400),
            served_from=(until - timedelta(hours=hours)).isoformat(), served_until=until.isoformat(), hours=hours,
            base_points=5, adjustment=adjustment, override_points=override, override_reason=reason,
            points=override if override is not None else 5 + adjustment,
            approved_by=f"staff.{code}", assessed_at=assessed.isoformat()))
    return events


def check_events(events, failures):
    from contracts.events import validate_event
    bad = [e["event_id"] for e in events[:200] if validate_event(SOURCE, EVENT, e)]
    check(failures, not bad, f"the first {min(200, len(events))} events conform to contracts.events.ServiceCompleted")


# --- processes -------------------------------------------------------------------------------

def start_scoring(procs, label, port):
    """`nameko run --config config.yaml scoring.service` in services/scoring, as run.sh runs it."""
    p = gb.nameko(label, "scoring.service", ROOT / "services" / "scoring", "config.yaml", service_env(port))
    procs.append(p)
    return p


def start_raw(procs):
    p = gb.Proc("raw", [sys.executable, str(Path(__file__).resolve()), "--raw-consumer"], ROOT,
                dict(service_env(PORTS[0]), SCORING_INTAKE_DB=DB_NAME, SCORING_INTAKE_VHOST=VHOST))
    procs.append(p)
    return p


def wait_health(procs_ports, timeout=60):
    """Seconds after the call at which each process's /health answered 200."""
    import requests
    t0 = time.perf_counter()
    out = {}
    deadline = time.monotonic() + timeout
    while len(out) < len(procs_ports):
        for p, port in procs_ports:
            if p.label in out:
                continue
            if not p.alive():
                raise RuntimeError(f"{p.label} exited during start; see {p.log_path}")
            try:
                if requests.get(f"http://{HOST}:{port}/health", timeout=1).status_code == 200:
                    out[p.label] = time.perf_counter() - t0
            except requests.RequestException:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"/health did not answer within {timeout} s; see {LOG_DIR}")
        time.sleep(0.05)
    return out


def raw_consumer():
    """The baseline's consumer process: kombu, prefetch RAW_PREFETCH, one INSERT and one COMMIT
    per message, then the ack. Runs until SIGTERM."""
    import psycopg2
    from kombu import Connection, Consumer, Exchange, Queue
    db, vhost = os.environ["SCORING_INTAKE_DB"], os.environ["SCORING_INTAKE_VHOST"]
    pg = psycopg2.connect(dbname=db, **SERVER)
    cur = pg.cursor()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    insert = "INSERT INTO bench_raw.events (event_id, payload) VALUES (%s, %s)"

    def on_message(body, message):
        raw = message.body.decode() if isinstance(message.body, bytes) else message.body
        cur.execute(insert, (body["event_id"], raw))
        pg.commit()
        message.ack()

    queue = Queue(RAW_QUEUE, Exchange(EXCHANGE, type="topic", durable=True), routing_key=EVENT, durable=True,
                  auto_delete=False)
    with Connection(f"amqp://guest:guest@127.0.0.1:5672/{vhost}") as conn:
        with Consumer(conn, queues=[queue], callbacks=[on_message], accept=["json"], prefetch_count=RAW_PREFETCH):
            while not stop:
                try:
                    conn.drain_events(timeout=1)
                except TimeoutError:
                    pass
                except OSError:  # socket.timeout is an OSError; anything else is a real error
                    if stop:
                        break
                    raise
    pg.close()


# --- measuring -------------------------------------------------------------------------------

def pg_counters(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute("SELECT xact_commit, xact_rollback, sessions FROM pg_stat_database WHERE datname = %s",
                    (DB_NAME,))
        return cur.fetchone()


def wait_rows(table, n, procs, launched, meter=None, on_poll=None, stall=120):
    """Poll count(*) of `table` until it holds n rows. Returns (seconds from `launched`, a
    perf_counter, to the poll that saw the first row; the CPU between that poll and the one
    that saw n; polls made)."""
    conn = connect()
    first = cpu0 = None
    polls, last, last_change = 0, -1, time.monotonic()
    try:
        with conn.cursor() as cur:
            while True:
                cur.execute(f"SELECT count(*) FROM {table}")
                polls += 1
                count = cur.fetchone()[0]
                if count and first is None:
                    first = time.perf_counter() - launched
                    cpu0 = meter.snap() if meter else None
                if on_poll:
                    on_poll(count)
                if count >= n:
                    cpu = gb.CpuMeter.diff(cpu0, meter.snap()) if meter else None
                    return first, cpu, polls
                if count != last:
                    last, last_change = count, time.monotonic()
                elif time.monotonic() - last_change > stall:
                    raise RuntimeError(f"{table}: {count} of {n} rows and no progress for {stall} s; see {LOG_DIR}")
                for p in procs:
                    if not p.alive():
                        raise RuntimeError(f"{p.label} exited; see {p.log_path}")
                time.sleep(POLL)
    finally:
        conn.close()


def account_mismatches():
    """Members whose red account's `earned` differs from their ledger entries' sum (the entry and
    the credit are one statement since migration 0002: a doubled credit would show here), or None
    if this version of the schema has no scoring.accounts.earned."""
    if not sql("SELECT 1 FROM information_schema.columns WHERE table_schema = 'scoring' AND table_name = 'accounts' "
               "AND column_name = 'earned'"):
        return None
    return sql("""
        SELECT count(*) FROM
            (SELECT holder_id, sum(points) AS points FROM scoring.ledger WHERE holder_kind = 'member'
             GROUP BY holder_id) l
        FULL JOIN (SELECT holder_id, earned FROM scoring.accounts WHERE holder_kind = 'member') a USING (holder_id)
        WHERE l.points IS DISTINCT FROM a.earned""")[0][0]


def check(failures, ok, text):
    say(f"  {'PASS' if ok else 'FAIL'}: {text}")
    if not ok:
        failures.append(text)


def pyspy():
    return gb.pyspy_path()


def run_scenario(key, events, failures, profile=False):
    """One scenario on fresh schemas and a fresh queue; returns its result dict."""
    n = len(events)
    raw = key == "raw"
    queue = RAW_QUEUE if raw else SCORING_QUEUE
    table, stamp = ("bench_raw.events", "received_at") if raw else ("scoring.ledger", "recorded_at")
    prepare_database()
    broker = Broker()
    procs = []
    profiles = []
    try:
        broker.declare(queue)
        t = time.perf_counter()
        broker.publish(events)
        ready = broker.ready(queue)
        say(f"  {n} events published into {queue} in {time.perf_counter() - t:.1f} s (not timed); "
            f"{ready} ready")
        if ready != n:
            raise RuntimeError(f"{queue} holds {ready} messages, {n} published")
        wait_connections((1 if raw else SCORING_CONNECTIONS * (1 if key == "one" else 2)) + 3, WAIT_CONNECTIONS)
        stats = connect()
        c0 = pg_counters(stats)
        launched = time.perf_counter()
        if raw:
            started = [(start_raw(procs), None)]
        else:
            count = 1 if key == "one" else 2
            started = [(start_scoring(procs, f"scoring{i + 1}", PORTS[i]), PORTS[i]) for i in range(count)]
        meter = gb.CpuMeter(procs, count_sessions=False)
        meter.groups["bench (polls)"] = meter.groups.pop("load generator")
        health = {}
        if not raw:
            # /health answers once the container has started, i.e. its consumers too; the
            # processes consume from then on, while the bench waits for the rest
            health = wait_health(started)
        if profile and not raw:
            spy = pyspy()
            if spy:
                for p, _ in started:
                    path = LOG_DIR / f"profile-{p.label}.txt"
                    profiles.append((p.label, path, subprocess.Popen(
                        [spy, "record", "-p", str(p.pid), "-d", "3600", "-r", "200", "--idle", "--nonblocking",
                         "-f", "raw", "-o", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
            else:
                say("  (py-spy not found: python3 -m venv /tmp/pyspy && /tmp/pyspy/bin/pip install py-spy)")
        first, cpu, polls = wait_rows(table, n, procs, launched, meter)
        for _, _, spy_proc in profiles:
            spy_proc.send_signal(signal.SIGINT)
        time.sleep(1.0)  # anything beyond n would show now
        ((rows, distinct, t_first, t_last),) = sql(
            f"SELECT count(*), count(DISTINCT {'event_id' if raw else 'source_event_id'}), "
            f"extract(epoch FROM min({stamp})), extract(epoch FROM max({stamp})) FROM {table}")
        depth = queue_depth(queue)
        meter.close()
        gb.stop_all(procs)
        for _, _, spy_proc in profiles:
            try:
                spy_proc.wait(30)
            except subprocess.TimeoutExpired:
                spy_proc.kill()
        time.sleep(0.5)  # the backends' statistics are flushed as they exit
        c1 = pg_counters(stats)
        stats.close()
    finally:
        gb.stop_all(procs)
        try:
            broker.delete(queue)
        except Exception:
            pass
        broker.close()

    label = {"raw": "raw", "one": "scoring, 1 process", "two": "scoring, 2 processes"}[key]
    check(failures, rows == n and distinct == n, f"{label}: {table} holds {rows} rows, {distinct} distinct event ids, "
                                                 f"of {n} events")
    check(failures, depth is not None and depth[0] == depth[1] == 0,
          f"{label}: queue empty afterwards (ready, unacked, consumers: {depth})")
    if not raw:
        ((inbox, points),) = sql("SELECT (SELECT count(*) FROM scoring.inbox), "
                                 "(SELECT sum(points) FROM scoring.ledger)")
        expected = sum(e["points"] for e in events)
        check(failures, inbox == n, f"{label}: inbox holds {inbox} of {n} event ids")
        check(failures, points == expected, f"{label}: ledger points {points}, events' points {expected}")
        mismatched = account_mismatches()
        if mismatched is not None:
            check(failures, mismatched == 0, f"{label}: {mismatched} members whose account differs from their entries")
    seconds = float(t_last) - float(t_first)
    # commits: minus the bench's own polls (each an autocommit SELECT) and the 1-row check after
    commits = (c1[0] - c0[0]) - polls - 1
    return {"label": label, "seconds": seconds, "rate": (n - 1) / seconds if seconds > 0 else 0.0,
            "first": first, "cpu": cpu, "health": health, "commits": commits / n, "rollbacks": c1[1] - c0[1],
            "sessions": c1[2] - c0[2], "profiles": [(lbl, path) for lbl, path, _ in profiles]}


def wait_quiet(seconds):
    """Wait up to `seconds` for the machine to be at most 15% busy; returns the last reading."""
    deadline = time.monotonic() + seconds
    while (busy := gb.machine_busy(2.0)) > 15 and time.monotonic() < deadline:
        pass
    return busy


# --- main ------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--scenarios", default="raw,one,two", help="comma-separated, of raw, one, two")
    ap.add_argument("--profile", action="store_true", help="py-spy each scoring process during its window")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="before each scenario, wait up to this long for the machine to be idle (a shared machine)")
    ap.add_argument("--raw-consumer", action="store_true", help=argparse.SUPPRESS)  # the baseline's process
    args = ap.parse_args(argv)
    if args.raw_consumer:
        raw_consumer()
        return 0
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(scenarios) - {"raw", "one", "two"}
    if unknown or not scenarios:
        ap.error(f"unknown scenarios {sorted(unknown)}; choose from raw, one, two")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind through `finally`
    in_use = [p for p in PORTS if not gb.port_free(p)]
    if in_use:
        sys.exit(f"ports in use: {in_use}; is another scoring benchmark running?")

    n, failures, results = args.events, [], {}
    busy = wait_quiet(args.wait_quiet)
    say(f"== scoring intake benchmark: {n} {EVENT} events, scenarios {', '.join(scenarios)}, {os.cpu_count()} CPUs; "
        f"machine {busy:.0f}% busy before the start; logs in {LOG_DIR} ==")
    if busy > 15:
        say("!! the machine is busy before the benchmark starts: figures will be low and noisy (see `top`)")
    events = make_events(n)
    from toolkit.outbox import to_json
    say(f"payload: {len(to_json(events[0]).encode())} bytes of JSON per event")
    check_events(events, failures)
    say(f"setting up: vhost {VHOST}, database {DB_NAME}")
    prepare_broker()
    for i, key in enumerate(scenarios):
        if i:  # a shared machine: each scenario waits for quiet, not only the first
            busy = wait_quiet(args.wait_quiet)
            if busy > 15:
                say(f"!! the machine is {busy:.0f}% busy before this scenario: read its CPU line")
        say(f"{key}: ...")
        results[key] = r = run_scenario(key, events, failures, profile=args.profile)
        say(f"  {key} done: {r['rate']:.0f} events/s")
    return report(n, results, failures)


def report(n, results, failures):
    say("")
    say("== results ==")
    for key, r in results.items():
        skew = ""
        if len(r["health"]) > 1:
            times = sorted(r["health"].values())
            skew = f"; start skew between the processes {1000 * (times[-1] - times[0]):.0f} ms"
        say(f"{r['label']:<22}: {r['rate']:8.0f} events/s  ({n} rows in {r['seconds']:.2f} s, first to last; "
            f"first row {r['first']:.1f} s after launch{skew})")
        say(f"  {gb.cpu_line(r['cpu'])}")
        say(f"  PostgreSQL: {r['commits']:.2f} commits per event, {r['rollbacks']} rollbacks, "
            f"{r['sessions']} sessions opened (whole scenario)")
    raw = results.get("raw")
    if raw:
        for key in ("one", "two"):
            if key in results:
                ratio = results[key]["rate"] / raw["rate"] if raw["rate"] else 0.0
                say(f"ratio {results[key]['label']} / raw: {100 * ratio:5.1f} %   goal >= {100 * GOAL_RATIO:.0f}%: "
                    f"{'PASS' if ratio >= GOAL_RATIO else 'FAIL'}")
    if "one" in results and "two" in results and results["one"]["rate"]:
        say(f"two processes / one process: {results['two']['rate'] / results['one']['rate']:.2f}x")
    for r in results.values():
        for label, path in r["profiles"]:
            if path.exists():
                total, idle, lines = gb.summarize_profile(path)
                say("")
                say(f"== py-spy {label}: {total} samples, {idle:.0f}% idle in the hub; frames on the stack "
                    f"(% of busy samples); {path} ==")
                for line in lines:
                    say(line)
    if failures:
        say(f"\nFAILED: {len(failures)} verification(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
