"""Outbox relay benchmark: service_completed events/s from commit to broker, against raw kombu.

    .venv/bin/python bench/outbox_bench.py                     # 100,000 events (the issue's size)
    .venv/bin/python bench/outbox_bench.py --events 10000      # a quick check
    .venv/bin/python bench/outbox_bench.py --profile           # also: the relay under cProfile
    .venv/bin/python bench/outbox_bench.py --wait-quiet 300    # first wait for an idle machine

Issue figure: "service-completed events out of the outbox: events/s from commit to broker, against
raw kombu publishing the same payloads with confirms."

Isolation: PostgreSQL database `bench_outbox` (created if missing; schema `volunteering` dropped and
migrated from services/volunteering), RabbitMQ vhost `sbd_bench_outbox` (deleted and recreated).
No nameko process runs: everything is in this process, without eventlet.

Scenarios, each publishing N service_completed envelopes (contracts.events.EXAMPLES, with distinct
event_id and member_id) to the exchange `volunteering.events`, where a durable queue bound to
"service_completed" keeps them (it is counted, then deleted, after each scenario):
  A. the figure: the N events are committed to volunteering.outbox beforehand (COPY, 10,000 per
     transaction, then VACUUM ANALYZE; not timed), then toolkit's Relay (as `python -m
     toolkit.relay volunteering --once` runs it: drain(), batches of --batch rows, publisher
     confirms, rows marked sent) is timed from its first SELECT to the commit of the last batch;
  B. the baseline: raw kombu, one Connection with transport option confirm_publish=True, one
     Producer, each of the N dicts published (serializer json, persistent) and its confirm awaited;
  C. for reference: raw py-amqp with confirms awaited per batch of --batch messages, i.e. the
     relay's publish path without the database.
Every timing includes opening the broker connection. Besides events/s it prints the CPU of this
process, PostgreSQL (bench_outbox's backends and the shared processes) and RabbitMQ during each.

Exit status 1 if a verification fails: rows left unsent, a queue not holding exactly N messages,
or a message that does not conform to contracts.events.ServiceCompleted. There is no goal in the
issue; the PASS/FAIL lines are the verifications.
"""
import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import time
import warnings

DB_NAME = "bench_outbox"
DB_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
VHOST = "sbd_bench_outbox"
AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
# the per-service variable wins over DATABASE_URL (toolkit.config): pin both before any import
os.environ["DATABASE_URL"] = os.environ["VOLUNTEERING_DATABASE_URL"] = DB_URL
warnings.filterwarnings("ignore", category=DeprecationWarning)  # eventlet's notice, via nameko

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import amqp  # noqa: E402
import psycopg2  # noqa: E402
from kombu import Connection, Exchange  # noqa: E402
from sqlalchemy import MetaData, text  # noqa: E402

import gateway_bench as gb  # noqa: E402  (its CPU helpers only)
from contracts.events import EXAMPLES, validate_event  # noqa: E402
from toolkit.db import make_engine  # noqa: E402
from toolkit.events import SCOPE_KEYS, envelope  # noqa: E402
from toolkit.migrate import upgrade  # noqa: E402
from toolkit.outbox import Relay, copy_events, to_json  # noqa: E402
from toolkit.tables import outbox_table  # noqa: E402

# gateway_bench's CpuMeter keeps the PostgreSQL backends of gb.DB_NAME: make that ours
gb.DB_NAME = DB_NAME

SERVICE, EVENT = "volunteering", "service_completed"
EXCHANGE = f"{SERVICE}.events"
QUEUE = "bench_outbox.service_completed"
SERVER = {"host": "127.0.0.1", "port": 5432, "user": "root"}


def say(text=""):
    print(text, flush=True)


# --- setup -----------------------------------------------------------------------------------

def prepare_database():
    conn = psycopg2.connect(dbname="root", **SERVER)
    conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()
    conn = psycopg2.connect(dbname=DB_NAME, **SERVER)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {SERVICE} CASCADE")
    conn.close()
    upgrade(os.path.join(ROOT, "services", SERVICE))


def prepare_broker():
    """A fresh vhost (as gateway_bench.prepare_broker, for our own vhost)."""
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)  # may not exist
    for cmd in (["add_vhost", VHOST], ["set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"]):
        subprocess.run(["rabbitmqctl", "-q", *cmd], check=True, capture_output=True)


def make_events(n):
    example = EXAMPLES[(SERVICE, EVENT)]
    scope = {k: example[k] for k in SCOPE_KEYS}
    payload = {k: v for k, v in example.items() if k not in ("event_id", "event_type", "occurred_at", *SCOPE_KEYS)}
    return [envelope(EVENT, scope, dict(payload, member_id=1_000_000 + i)) for i in range(n)]


def write_outbox(events, chunk=10_000):
    """Commit the events to the outbox as a bulk job would (COPY), then VACUUM ANALYZE so that the
    relay meets a table with statistics and a visibility map, not autovacuum's first pass."""
    conn = psycopg2.connect(dbname=DB_NAME, **SERVER)
    for i in range(0, len(events), chunk):
        with conn, conn.cursor() as cur:  # one transaction per chunk
            copy_events(cur, SERVICE, events[i:i + chunk])
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {SERVICE}.outbox")
    conn.close()


class Queue:
    """The durable queue bound to the exchange, and a channel of our own to inspect it."""

    def __init__(self):
        self.conn = amqp.Connection(host="127.0.0.1:5672", userid="guest", password="guest", virtual_host=VHOST)
        self.conn.connect()
        self.ch = self.conn.channel()
        self.ch.exchange_declare(EXCHANGE, "topic", durable=True, auto_delete=False)

    def declare(self):
        self.ch.queue_declare(QUEUE, durable=True, auto_delete=False)
        self.ch.queue_bind(QUEUE, EXCHANGE, routing_key=EVENT)

    def count(self):
        return self.ch.queue_declare(QUEUE, passive=True).message_count

    def sample_errors(self):
        """Schema errors of the first message in the queue (taken off it)."""
        message = self.ch.basic_get(QUEUE, no_ack=True)
        body = message.body.decode() if isinstance(message.body, bytes) else message.body
        return validate_event(SERVICE, EVENT, json.loads(body))

    def delete(self):
        self.ch.queue_delete(QUEUE)

    def close(self):
        self.conn.close()


# --- the scenarios ---------------------------------------------------------------------------

def timed_method(obj, name, spent):
    """Wrap obj.name so that its calls add their seconds (and a timestamp) to `spent`."""
    fn = getattr(obj, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            ended = time.perf_counter()
            spent.setdefault(name, []).append((ended, ended - started))
    setattr(obj, name, wrapper)


def run_relay(engine, batch, profiler=None):
    """Scenario A: toolkit's Relay drains the outbox. Returns (seconds, sent, rows left unsent,
    per-call timings of publish_pending and _publish_confirmed)."""
    relay = Relay(engine, outbox_table(MetaData(schema=SERVICE)), SERVICE, AMQP_URI, batch_size=batch)
    spent = {}
    timed_method(relay, "publish_pending", spent)      # one call per batch: SELECT .. publish .. UPDATE, commit
    timed_method(relay, "_publish_confirmed", spent)   # its broker part: serialize, publish, await confirms
    try:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        sent = relay.drain()
        if profiler:
            profiler.disable()
        # the last batch's commit ends the window (drain's final, empty SELECT is not counted)
        ended = max(t for t, _ in spent["publish_pending"][:-1]) if sent else time.perf_counter()
        pending = relay.pending()
    finally:
        relay.close()
    return ended - started, sent, pending, spent


def run_kombu(events):
    """Scenario B: raw kombu, one confirmed publish at a time."""
    started = time.perf_counter()
    with Connection(AMQP_URI, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer(exchange=Exchange(EXCHANGE, type="topic", durable=True), routing_key=EVENT)
        for e in events:
            producer.publish(e, serializer="json", delivery_mode=2, message_id=e["event_id"], type=EVENT)
    return time.perf_counter() - started


def run_pyamqp(events, batch):
    """Scenario C: raw py-amqp, messages built as the Relay builds them, confirms awaited per batch."""
    started = time.perf_counter()
    conn = amqp.Connection(host="127.0.0.1:5672", userid="guest", password="guest", virtual_host=VHOST)
    conn.connect()
    ch = conn.channel()
    ch.confirm_select()
    unconfirmed, nacked = set(), []

    def on_ack(tag, multiple):
        unconfirmed.difference_update([t for t in unconfirmed if t <= tag] if multiple else [tag])
    ch.events["basic_ack"].add(on_ack)
    ch.events["basic_nack"].add(lambda tag, multiple: (nacked.append(tag), on_ack(tag, multiple)))
    tag = 0
    for i in range(0, len(events), batch):
        for e in events[i:i + batch]:
            ch.basic_publish(amqp.Message(to_json(e), content_type="application/json", content_encoding="utf-8",
                                          delivery_mode=2, message_id=e["event_id"], type=EVENT,
                                          timestamp=int(time.time())),
                             exchange=EXCHANGE, routing_key=EVENT)
            tag += 1
            unconfirmed.add(tag)
        while unconfirmed:
            conn.drain_events(timeout=10)
    conn.close()
    if nacked:
        raise RuntimeError(f"{len(nacked)} nacks")
    return time.perf_counter() - started


def measured(fn):
    """Run fn under gateway_bench's CpuMeter; returns (result, cpu)."""
    meter = gb.CpuMeter([])
    meter.groups = {"this process": [os.getpid()]}
    before = meter.snap()
    result = fn()
    return result, gb.CpuMeter.diff(before, meter.snap())


def check(failures, ok, text):
    say(f"  {'PASS' if ok else 'FAIL'}: {text}")
    if not ok:
        failures.append(text)


def verify_queue(queue, n, failures, label):
    count = queue.count()
    check(failures, count == n, f"{label}: queue holds {count} of {n} messages")
    if count:
        errors = queue.sample_errors()
        check(failures, not errors, f"{label}: a message conforms to ServiceCompleted {errors or ''}")
    queue.delete()


# --- main ------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=500, help="relay batch (Relay's default) and scenario C's")
    ap.add_argument("--skip-pyamqp", action="store_true", help="leave out scenario C")
    ap.add_argument("--profile", action="store_true", help="afterwards, the relay again under cProfile")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="first wait up to this long for the machine to be idle (a shared machine)")
    args = ap.parse_args(argv)
    n, failures, results = args.events, [], {}

    deadline = time.monotonic() + args.wait_quiet
    while (busy := gb.machine_busy(2.0)) > 15 and time.monotonic() < deadline:
        pass
    say(f"== outbox benchmark: {n} {EVENT} events, batch {args.batch}, {os.cpu_count()} CPUs; "
        f"machine {busy:.0f}% busy before the start ==")
    prepare_database()
    prepare_broker()
    events = make_events(n)
    say(f"payload: {len(to_json(events[0]).encode())} bytes of JSON per event")
    started = time.perf_counter()
    write_outbox(events)
    say(f"outbox written: {n} rows committed by COPY in {time.perf_counter() - started:.1f} s (not timed)")
    engine = make_engine(DB_URL, pool_size=2)
    queue = Queue()
    try:
        say("A. toolkit Relay.drain() ...")
        queue.declare()
        (seconds, sent, pending, spent), cpu = measured(lambda: run_relay(engine, args.batch))
        results["A"] = (seconds, cpu)
        check(failures, sent == n and pending == 0, f"relay: {sent} sent, {pending} rows left unsent")
        with engine.connect() as conn:
            marked = conn.execute(text(f"SELECT count(*) FROM {SERVICE}.outbox WHERE sent_at IS NOT NULL")).scalar()
        check(failures, marked == n, f"relay: {marked} of {n} rows have sent_at")
        verify_queue(queue, n, failures, "relay")

        say("B. raw kombu, confirm_publish=True, one by one ...")
        queue.declare()
        results["B"] = measured(lambda: run_kombu(events))
        verify_queue(queue, n, failures, "kombu")

        if not args.skip_pyamqp:
            say(f"C. raw py-amqp, confirms per batch of {args.batch} ...")
            queue.declare()
            results["C"] = measured(lambda: run_pyamqp(events, args.batch))
            verify_queue(queue, n, failures, "py-amqp")

        profile = None
        if args.profile:
            say("A again under cProfile (rows reset to unsent, vacuumed) ...")
            with engine.begin() as conn:
                conn.execute(text(f"UPDATE {SERVICE}.outbox SET sent_at = NULL"))
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"VACUUM ANALYZE {SERVICE}.outbox"))
            queue.declare()
            profile = cProfile.Profile()
            run_relay(engine, args.batch, profile)
            queue.delete()
    finally:
        queue.close()
        engine.dispose()

    report(n, args, results, spent, profile)
    if failures:
        say(f"\nFAILED: {len(failures)} verification(s) failed")
        return 1
    return 0


def report(n, args, results, spent, profile):
    labels = {"A": "A. outbox -> broker, toolkit Relay  ",
              "B": "B. raw kombu, confirm each publish ",
              "C": f"C. raw py-amqp, confirm per {args.batch:<6}"}
    say("")
    say("== results ==")
    for key, (seconds, cpu) in results.items():
        say(f"{labels[key]}: {n / seconds:9.0f} events/s  ({n} in {seconds:.2f} s)")
        say(f"  {gb.cpu_line(cpu)}")
    rate = {k: n / s for k, (s, _) in results.items()}
    say(f"ratio A / B (relay / raw kombu)     : {rate['A'] / rate['B']:.2f}x")
    if "C" in rate:
        say(f"ratio A / C (relay / its publish path without the database): {100 * rate['A'] / rate['C']:.0f} %")

    # where the relay's time went: per batch, the broker part inside publish_pending, and the rest
    batches = spent["publish_pending"][:-1]
    total = results["A"][0]
    broker = sum(s for _, s in spent["_publish_confirmed"])
    inside = sum(s for _, s in batches)
    say(f"relay time ({len(batches)} batches): broker part (serialize, publish, await confirms) "
        f"{100 * broker / total:.0f}%, database part (SELECT .. FOR UPDATE, fetch, UPDATE, commit) "
        f"{100 * (inside - broker) / total:.0f}%, between batches {100 * (total - inside) / total:.0f}%")
    tenth = max(1, len(batches) // 10)
    parts = [("batch", [s for _, s in batches]), ("broker part", [s for _, s in spent["_publish_confirmed"]]),
             ("database part", [b - p for (_, b), (_, p) in zip(batches, spent["_publish_confirmed"])])]
    say("  mean ms per batch, first tenth of the batches -> last tenth: " + ", ".join(
        f"{name} {1000 * sum(xs[:tenth]) / tenth:.1f} -> {1000 * sum(xs[-tenth:]) / tenth:.1f}" for name, xs in parts))
    if profile:
        say("")
        say(f"== cProfile of Relay.drain() (timings inflated), top {args.top} by own time ==")
        pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    sys.exit(main())
