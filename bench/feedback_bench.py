"""Feedback notices after a city-wide publication (issue 14): how long until every unit's notice,
with its Annex F rows, is ready to release, in 1 and in 2 feedback processes, against one SQL
query that builds the same rows from the same source data, in the same run.

    .venv/bin/python bench/feedback_bench.py                      # 300,000 members, processes 1 and 2
    .venv/bin/python bench/feedback_bench.py --members 30000      # a quick check
    .venv/bin/python bench/feedback_bench.py --processes 2        # one figure only

What it does, in order:
  1. isolates itself: PostgreSQL database `bench_feedback` (schemas `registration` and `feedback`
     dropped and migrated), RabbitMQ vhost `sbd_bench_feedback` (recreated), ports 18780..; logs
     in /tmp/gateway_bench (the helpers of gateway_bench.py);
  2. draws the settlement benchmark's synthetic city (bench/settlement_bench.py `City`: ~2,000
     communities in 16 districts, ~20,000 units, --members members each in a community and a unit,
     1% with nothing in the half year) and loads registration by COPY: the tree, the units (each
     sitting in a community), the members with their report of the year (accepted), and 5% more
     members of the same units who did not report this year (是否报到 否); the half year's published
     results of every community (points 0..120, stars by S5) go into `bench.results`, the table
     the baseline reads as scoring's published lists;
  3. the baseline, best of 3 after a warm-up: one SQL statement that builds every line the
     notices show (each member with a result, with the unit and community; each member of a unit
     sitting in a published community who did not report) into a TEMP table;
  4. the figure, for each process count: `nameko run` registration and N feedback processes,
     started and healthy with an empty queue; scoring's publication of the half year is written
     into a `scoring.outbox` of this database as scoring.settlement.publish writes it (one
     `settlement_published` per community, with its lines: contracts.events.SettlementPublished,
     checked; not timed: that is the publication), then timed from the start of scoring's relay
     (toolkit.outbox.Relay, publisher confirms per batch, run here) to:
       (a) every community's publication kept by the feedback service (feedback.sources): from
           then on every unit's notice can be released;
       (b) (a) and then every district's notice list built once through the service's own code,
           as the 16 district officers would open it (notices.district_notices: the lines unpacked,
           the members who did not report asked of the registration process over RPC, each
           unit's summary), one district after another: every F row built at least once;
     and the ratio of each to the baseline; then
       (c) the feedback service's own time: the publication relayed into its queue while no
           feedback process runs, then N processes started, timed from the first batch's
           transaction to the last publication kept (their start-up excluded, printed beside);
  5. checks that the rows of every district's notices (lines and members who did not report)
     are the baseline's rows, both ways.

Exit status 1 if a check fails; the goal (at most 2x the query) is printed PASS/FAIL.
"""
import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

DB_NAME = "bench_feedback"
DB_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
VHOST = "sbd_bench_feedback"
AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
os.environ["DATABASE_URL"] = DB_URL
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg2  # noqa: E402

import gateway_bench as gb  # noqa: E402
import settlement_bench as sb  # noqa: E402  (its city; it pins its own DATABASE_URL: put ours back)

os.environ["DATABASE_URL"] = os.environ["SCORING_DATABASE_URL"] = DB_URL
HOST, ROOT = gb.HOST, gb.ROOT
FIRST_PORT = 18780
PERIOD = "2026H1"
YEAR = 2026
UNTIL = f"{YEAR}-07-01 00:00+08"  # the half year's end: who had reported by then
GOAL = 2.0
say = gb.say


def connect():
    return psycopg2.connect(dbname=DB_NAME, host="127.0.0.1", user="root", options="-c timezone=Asia/Shanghai")


def query(sql, params=None):
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def env(**extra):
    e = dict(os.environ)
    e.update(AMQP_URI=AMQP_URI, DATABASE_URL=DB_URL, REGISTRATION_DATABASE_URL=DB_URL, FEEDBACK_DATABASE_URL=DB_URL,
             PYTHONWARNINGS="ignore::DeprecationWarning", PYTHONUNBUFFERED="1")
    e.update({k: str(v) for k, v in extra.items()})
    return e


# --- 1. isolation ----------------------------------------------------------------------------------

def setup():
    admin = psycopg2.connect(dbname="root", host="127.0.0.1", user="root")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    admin.close()
    conn = connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS registration CASCADE; DROP SCHEMA IF EXISTS feedback CASCADE; "
                    "DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench")
    conn.close()
    for service in ("registration", "feedback"):
        subprocess.run([str(gb.BIN / "python"), "-m", "toolkit.migrate", f"services/{service}"], cwd=ROOT,
                       env=env(), check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)
    for cmd in (["add_vhost", VHOST], ["set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"]):
        subprocess.run(["rabbitmqctl", "-q", *cmd], check=True, capture_output=True)


# --- 2. the city -------------------------------------------------------------------------------------

def _copy(cur, table, columns, rows):
    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in r) + "\n")
    buf.seek(0)
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def load(city, seed=2028):
    """Registration's tables and the published results; returns (communities, results by community)."""
    rng = random.Random(seed)
    codes = [c for _, _, c in city.communities]
    unit_home = [None] + [rng.randrange(len(codes)) for _ in range(city.n_units)]
    extra = city.members // 20
    conn = connect()
    with conn, conn.cursor() as cur:
        districts = sorted({d for d, _, _ in city.communities})
        streets = sorted({(d, s) for d, s, _ in city.communities})
        _copy(cur, "registration.districts", ("code", "name", "kind"),
              [(d, f"区{d[-2:]}区", "district") for d in districts])
        _copy(cur, "registration.streets", ("code", "district_code", "name"), [(s, d, f"街道{s[-3:]}") for d, s in streets])
        _copy(cur, "registration.communities", ("code", "street_code", "district_code", "name"),
              [(c, s, d, f"社区{c[-6:]}") for d, s, c in city.communities])
        _copy(cur, "registration.units", ("id", "credit_code", "name", "type", "party_org_name", "address",
                                          "community_code", "street_code", "district_code"),
              [(u, f"91410100{u:010d}", f"单位{u}", "private_enterprise", f"中共单位{u}支部委员会", "郑州市某路",
                codes[unit_home[u]], codes[unit_home[u]][:9], codes[unit_home[u]][:6]) for u in range(1, city.n_units + 1)])
        total = city.members + extra
        units = city.member_unit + [rng.randint(1, city.n_units) for _ in range(extra)]
        names = city.names + [rng.choice(sb.SURNAMES) + rng.choice(sb.GIVEN) for _ in range(extra)]
        # known since before the half year, reported in March (是否报到 is judged at its end)
        _copy(cur, "registration.members", ("id", "id_number", "name", "gender", "birth_date", "party_join_date",
                                            "education", "unit_id", "position", "phone", "home_address", "created_at"),
              [(m, f"4101{m:014d}", names[m], "男", "1985-04-03", "2010-07-01", "本科", units[m], "科员", "13800000000",
                "郑州市某路1号", f"{YEAR - 1}-03-01 09:00+08") for m in range(1, total + 1)])
        _copy(cur, "registration.member_registrations",
              ("id", "certificate_no", "member_id", "year", "status", "late", "source", "community_code", "street_code",
               "district_code", "community_choice", "unit_id", "name", "gender", "birth_date", "education",
               "party_join_date", "position", "phone", "home_address", "skills", "service_intentions", "reported_at"),
              [(m, f"B{YEAR}{m:010d}", m, YEAR, "accepted", "false", "form", codes[city.member_community[m]],
                codes[city.member_community[m]][:9], codes[city.member_community[m]][:6], "home", units[m], names[m],
                "男", "1985-04-03", "本科", "2010-07-01", "科员", "13800000000", "郑州市某路1号", "{医疗}", "{助老,助残}",
                f"{YEAR}-03-01 09:00+08")
               for m in range(1, city.members + 1)])
        for t in ("units", "members", "member_registrations"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('registration.{t}', 'id'), (SELECT max(id) FROM registration.{t}))")
        cur.execute("CREATE TABLE bench.results (community_code char(12), member_id bigint, name text, unit_id bigint, "
                    "points numeric(8,1), stars int)")
        results = {c: [] for c in codes}
        for m in range(1, city.members + 1):
            points = 0 if m in city.idle else rng.randint(2, 120)
            results[codes[city.member_community[m]]].append((m, names[m], units[m], points, min(10, points // 10)))
        _copy(cur, "bench.results", ("community_code", "member_id", "name", "unit_id", "points", "stars"),
              [(c, *r) for c, rows in results.items() for r in rows])
    conn.close()
    conn = connect()
    conn.autocommit = True  # VACUUM runs outside a transaction
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()
    return codes, results


# --- 3. the baseline ------------------------------------------------------------------------------------

BASELINE = """
    CREATE TEMP TABLE expected AS
    SELECT %(p)s AS period, r.community_code, r.unit_id, r.member_id, r.name, true AS reported, r.points, r.stars
    FROM bench.results r
    UNION ALL
    SELECT %(p)s, u.community_code, m.unit_id, m.id, m.name, false, NULL, NULL
    FROM registration.members m JOIN registration.units u ON u.id = m.unit_id
    WHERE m.created_at < %(until)s AND NOT EXISTS (
        SELECT 1 FROM registration.member_registrations g
        WHERE g.member_id = m.id AND g.year = %(y)s AND g.reported_at < %(until)s AND g.status <> 'unit_rejected')"""


def baseline(repeat=3):
    conn = connect()
    times = []
    with conn.cursor() as cur:
        for i in range(repeat + 1):  # the first warms the cache
            cur.execute("DROP TABLE IF EXISTS expected")
            t = time.perf_counter()
            cur.execute(BASELINE, {"p": PERIOD, "y": YEAR, "until": UNTIL})
            conn.commit()
            if i:
                times.append(time.perf_counter() - t)
        cur.execute("SELECT count(*) FROM expected")
        rows = cur.fetchone()[0]
    conn.close()
    return min(times), times, rows


# --- 4. the figure ----------------------------------------------------------------------------------------

def events(codes, results):
    """One settlement_published per community, as scoring.settlement.publish writes it."""
    from contracts.events import validate_event
    out = []
    for i, code in enumerate(codes, 1):
        rows = results[code]
        e = {"event_id": str(uuid.uuid4()), "event_type": "settlement_published",
             "occurred_at": "2026-07-05T10:00:00+08:00", "district_code": code[:6], "street_code": code[:9],
             "community_code": code, "settlement_id": i, "period": PERIOD, "revision": 1, "rule_version": 1,
             "reason": None, "members": len(rows), "organizations": 0,
             "ten_star_members": sum(1 for r in rows if r[4] == 10),
             "member_lines": {"member_id": [r[0] for r in rows], "name": [r[1] for r in rows],
                              "unit_id": [r[2] for r in rows], "points": [float(r[3]) for r in rows],
                              "stars": [r[4] for r in rows]}, "unit_results": []}
        out.append(e)
    problems = validate_event("scoring", "settlement_published", out[0])
    assert not problems, problems
    return out


def outbox():
    """scoring's outbox, in this database: the relay reads it as it reads scoring's."""
    from sqlalchemy import MetaData, create_engine
    from toolkit.tables import outbox_table
    engine = create_engine(DB_URL)
    table = outbox_table(MetaData(schema="scoring"))
    query("CREATE SCHEMA IF NOT EXISTS scoring")
    table.drop(engine, checkfirst=True)
    table.create(engine)
    return engine, table


def write_publication(payloads):
    from toolkit.outbox import copy_events
    query("TRUNCATE scoring.outbox")
    conn = connect()
    with conn, conn.cursor() as cur:
        copy_events(cur, "scoring", payloads)
    conn.close()


class Registration:
    """What the service asks registration, as the registration process answers it over RPC."""

    def __init__(self, cluster):
        self.cluster = cluster

    def feedback_rosters(self, unit_ids, codes, year):
        return self.cluster.registration.feedback_rosters(unit_ids, codes, year)


def district_lists(codes, cluster):
    """Every district's notice list, as its officer opens it; returns (rows by (unit, member,
    reported), seconds)."""
    from sqlalchemy import create_engine
    from feedback import notices
    engine = create_engine(DB_URL, pool_size=1)
    rows = set()
    t = time.perf_counter()
    with engine.connect() as conn:
        for district in sorted({c[:6] for c in codes}):
            listed = notices.district_notices(conn, Registration(cluster), district, PERIOD)
            assert listed["units"] > 0
    seconds = time.perf_counter() - t
    with engine.connect() as conn:  # the rows themselves, for the check (not timed)
        for district in sorted({c[:6] for c in codes}):
            live = notices.Live(conn, Registration(cluster), district, PERIOD)
            rows.update((r["community_code"].strip(), u, r["member_id"], r["reported"],
                         None if r["points"] is None else float(r["points"]), r["stars"])
                        for u, lines in live.by_unit.items() for r in lines)
    engine.dispose()
    return rows, seconds


def clear_feedback():
    query("TRUNCATE feedback.sources, feedback.units, feedback.inbox")
    query("UPDATE scoring.outbox SET sent_at = NULL")


def run(n, codes, relay_parts, timeout):
    import threading
    from nameko.standalone.rpc import ClusterRpcProxy
    from contracts.access import CITY_ADMIN, Caller
    from toolkit.caller import SignedAtEachCall
    from toolkit.outbox import Relay
    procs = []
    try:
        procs.append(gb.nameko("registration", "registration.service", ROOT / "services" / "registration", "config.yaml",
                               env(REGISTRATION_WEB_ADDRESS=f"{HOST}:{FIRST_PORT}", REGISTRATION_MAX_WORKERS=4)))
        for i in range(n):
            procs.append(gb.nameko(f"feedback{i + 1}", "feedback.service", ROOT / "services" / "feedback", "config.yaml",
                                   env(FEEDBACK_WEB_ADDRESS=f"{HOST}:{FIRST_PORT + 1 + i}")))
        for i in range(n + 1):
            gb.wait_healthy(f"http://{HOST}:{FIRST_PORT + i}/health", procs)
        time.sleep(1.0)  # every consumer attached
        meter = gb.CpuMeter(procs)
        meter.groups.pop("load generator", None)
        meter.groups["this process (relay, district lists)"] = [os.getpid()]
        caller = SignedAtEachCall(Caller(1, "bench", CITY_ADMIN, ""))
        with ClusterRpcProxy({"AMQP_URI": AMQP_URI}, context_data=caller, timeout=timeout) as cluster:
            engine, table = relay_parts
            relay = Relay(engine, table, "scoring", AMQP_URI)
            cpu0 = meter.snap()
            t0 = time.perf_counter()
            relayed = {}
            thread = threading.Thread(target=lambda: relayed.update(
                n=relay.drain(), seconds=time.perf_counter() - t0))
            thread.start()
            conn = connect()
            conn.autocommit = True
            with conn.cursor() as cur:
                while True:
                    cur.execute("SELECT count(*) FROM feedback.sources")
                    if cur.fetchone()[0] >= len(codes):
                        break
                    if time.perf_counter() - t0 > timeout:
                        raise RuntimeError(f"not done after {timeout} s")
                    time.sleep(0.05)
            kept = time.perf_counter() - t0
            conn.close()
            thread.join()
            rows, listing = district_lists(codes, cluster)
            cpu = gb.CpuMeter.diff(cpu0, meter.snap())
        meter.close()
        return kept, kept + listing, relayed, cpu, rows
    finally:
        gb.stop_all(procs)


QUEUE = "batch-scoring-settlement_published--feedback"  # toolkit.batches' name for feedback's consumer


def run_prefilled(n, codes, relay_parts, timeout):
    """(c): the whole publication waiting in feedback's queue (relayed while no feedback process
    ran), then N processes started: timed from the first batch's transaction to the last one
    kept, as the database saw them (start-up excluded, printed beside)."""
    from kombu import Connection, Exchange, Queue
    from toolkit.outbox import Relay
    exchange = Exchange("scoring.events", type="topic", durable=True)
    with Connection(AMQP_URI) as conn:
        Queue(QUEUE, exchange=exchange, routing_key="settlement_published", durable=True,
              auto_delete=False)(conn.default_channel).declare()
    engine, table = relay_parts
    Relay(engine, table, "scoring", AMQP_URI).drain()
    procs = []
    try:
        started = time.time()
        for i in range(n):
            procs.append(gb.nameko(f"feedback{i + 1}", "feedback.service", ROOT / "services" / "feedback", "config.yaml",
                                   env(FEEDBACK_WEB_ADDRESS=f"{HOST}:{FIRST_PORT + 1 + i}")))
        conn = connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            while True:
                cur.execute("SELECT count(*) FROM feedback.sources")
                if cur.fetchone()[0] >= len(codes):
                    done = time.time()
                    break
                if time.time() - started > timeout:
                    raise RuntimeError(f"not done after {timeout} s")
                time.sleep(0.02)
            cur.execute("SELECT extract(epoch FROM min(heard_at)) FROM feedback.sources")
            first = float(cur.fetchone()[0])
        conn.close()
        return done - first, first - started
    finally:
        gb.stop_all(procs)


def check(rows):
    expected = {(c.strip(), u, m, reported, None if p is None else float(p), st) for c, u, m, reported, p, st in query(
        "SELECT community_code, unit_id, member_id, reported, points, stars FROM expected_copy")}
    return len(expected - rows), len(rows - expected), len(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=300_000)
    ap.add_argument("--processes", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args(argv)
    say(f"== feedback benchmark: {args.members:,} members, feedback processes {args.processes}, "
        f"{os.cpu_count()} CPUs; machine {gb.machine_busy():.0f}% busy before the start ==")
    setup()
    t = time.perf_counter()
    city = sb.City(args.members)
    codes, results = load(city)
    say(f"city: {len(codes)} communities, {city.n_units:,} units, {args.members:,} members who reported and "
        f"{args.members // 20:,} who did not; loaded in {time.perf_counter() - t:.1f} s")
    payloads = events(codes, results)
    size = sum(len(json.dumps(p, ensure_ascii=False).encode()) for p in payloads)
    say(f"publication: {len(payloads):,} settlement_published events, {size / 1e6:.1f} MB")
    relay_parts = outbox()
    write_publication(payloads)
    failures, figures = [], []
    for n in args.processes:
        clear_feedback()
        base, times, rows = baseline()
        query("DROP TABLE IF EXISTS expected_copy")
        query("CREATE TABLE expected_copy AS " + BASELINE.split("AS", 1)[1], {"p": PERIOD, "y": YEAR, "until": UNTIL})
        say(f"baseline (one SQL statement into a TEMP table): {base:.2f} s best of 3 "
            f"({', '.join(f'{x:.2f}' for x in times)}); {rows:,} rows")
        kept, listed, relayed, cpu, got = run(n, codes, relay_parts, args.timeout)
        missing, extra, count = check(got)
        clear_feedback()
        consumed, startup = run_prefilled(n, codes, relay_parts, args.timeout)
        (kept_rows,), = query("SELECT count(*) FROM feedback.lines")
        if kept_rows != sum(1 for r in got if r[3]):
            failures.append(f"{n} processes, queue filled first: {kept_rows} lines kept, not {sum(1 for r in got if r[3])}")
        figures.append((n, kept, listed, base, consumed))
        say(f"{n} feedback process(es): (a) every publication kept, every notice releasable: {kept:.2f} s "
            f"= {kept / base:.2f}x the baseline -> {'PASS' if kept / base <= GOAL else 'FAIL'} (goal <= {GOAL:g}x); "
            f"the relay published {relayed.get('n')} events in {relayed.get('seconds', 0):.2f} s")
        say(f"  (b) and every district's notice list built once: {listed:.2f} s = {listed / base:.2f}x the baseline "
            f"-> {'PASS' if listed / base <= GOAL else 'FAIL'}; {count:,} F rows")
        say(f"  (c) the whole publication waiting in the queue, then {n} process(es) started: kept in {consumed:.2f} s "
            f"from the first batch to the last = {consumed / base:.2f}x the baseline -> "
            f"{'PASS' if consumed / base <= GOAL else 'FAIL'} (start-up before the first batch {startup:.1f} s)")
        say("  " + gb.cpu_line(cpu))
        if missing or extra:
            failures.append(f"{n} processes: {missing} rows missing, {extra} rows extra against the baseline")
    query("DROP TABLE IF EXISTS expected_copy")
    for f in failures:
        say(f"!! {f}")
    say("summary: " + "; ".join(f"{n} process(es): (a) {k:.2f} s ({k / b:.2f}x), (b) {ls:.2f} s ({ls / b:.2f}x), "
                                 f"(c) {c:.2f} s ({c / b:.2f}x), query {b:.2f} s" for n, k, ls, b, c in figures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
