"""A festival campaign: check-ins, assessments' events into the ledger and a settlement at once.

    .venv/bin/python bench/festival_bench.py                  # the figure (6-8 min; loading and sign-ups ~3)
    .venv/bin/python bench/festival_bench.py --seconds 4 --events 3000 --members 3000 --entries 60000 \\
        --activities 80                                       # a quick check (about 1.5 min)
    .venv/bin/python bench/festival_bench.py --no-pooler      # the services straight to PostgreSQL

Issue figure (17): "the platform with 3 scoring and 2 volunteering processes and the gateway (a
local equivalent of the cluster's layout, on this machine) during a festival campaign: check-ins
at 50 clients, the assessments' events flowing into the ledger, and a settlement run at once:
check-ins/s and p99, events/s into the ledger and the largest queue depth, against each of the
three measured alone in the same session."

The platform: gateway, registration, 2 volunteering and 3 scoring (`nameko run`, as run.sh starts
them), all through one PgBouncer with deploy/pgbouncer/pgbouncer.ini's settings (transaction
pooling; started as toolkit/tests/test_pooler.py starts it, as `nobody` when root), as in the
cluster; workers as config.yaml: ~210 client connections to PgBouncer, at most --server-pool (30)
to PostgreSQL. --no-pooler: straight to PostgreSQL with fewer workers, to stay within 45
connections on a server shared with other work (max_connections 100): scoring 4 x 3, volunteering
4 x 2, registration 1, gateway 9, pools of at most 18 + 12 + 4 + 11 = 45 (toolkit.db.pool_limit);
the gateway's 9 workers then limit the check-ins. The run waits for that many free connections
first, and prints the budget and the peak it saw. Unlike the cluster: 2 cores for everything,
classic queues, and the gateway's commits wait for the disk (no role with synchronous_commit=off).

In order:
  1. isolation: database `bench_festival` (timezone Asia/Shanghai as its setting: PgBouncer drops
     the services' `options`), vhost `sbd_bench_festival` (recreated), ports 18700-18707, logs in
     /tmp/festival_bench. checkin_bench.py's community (registration, volunteering, gateway) and
     settlement_bench.py's synthetic city (scoring: --members, --entries in --period, by COPY);
     scoring starts last, so it knows nothing of the registration's community; as checkin_bench.py,
     --clients members signed up to --activities activities (client i's k-th check-in: activity k);
  2. each alone: check-ins, --clients through the gateway, --warmup then a --seconds window; a
     burst of --events service_completed events (scoring_intake_bench.make_events: what
     volunteering publishes when an assessment is done), made beforehand by a publisher process of
     their own and published while scoring consumes: events/s = N / (publish start to the last
     entry's recorded_at), the intake queue's ready messages sampled every 0.25 s (passive
     declare); settlement_bench.settle() of area 4101 for --period after a warm-up over the other
     half year: start_settlement to settlement_run saying done;
  3. together: as the clients' window opens, the burst (other event ids) and the settlement start;
     the bench then waits for both. The burst's communities are in districts 410105/410106, as some
     of the city's: its entries land in the half year being settled. Both settlements include the
     first burst's entries (a third of 1% of the full-size ledger);
  4. the table: each figure alone and together, and when the burst and the settlement ended within
     the check-in window (a full-size settlement is much shorter than the window).

Exit status 1 if a check-in is not answered 200 (409: raise --activities) or the database does
not hold as many check-ins as were answered 200, a burst does not become exactly N entries with
the queue empty afterwards, or a settlement does not draft every community. Every process is
stopped in `finally`.
"""
import argparse
import configparser
import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)  # eventlet, imported via nameko

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psycopg2  # noqa: E402

import checkin_bench as cb  # noqa: E402
import gateway_bench as gb  # noqa: E402
import scoring_intake_bench as sib  # noqa: E402
import settlement_bench as sb  # noqa: E402

HOST, ROOT = gb.HOST, gb.ROOT
DB_NAME, VHOST = "bench_festival", "sbd_bench_festival"
GATEWAY_PORT, REGISTRATION_PORT, POOLER_PORT = 18700, 18701, 18702
VOLUNTEERING_PORTS, SCORING_PORTS = [18703, 18704], [18705, 18706, 18707]
DIRECT_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
POOLED_URL = f"postgresql+psycopg2://root@127.0.0.1:{POOLER_PORT}/{DB_NAME}"
AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
LOG_DIR = Path(os.environ.get("FESTIVAL_BENCH_LOGS", "/tmp/festival_bench"))
PGBOUNCER = ROOT / ".venv" / "ops" / "usr" / "sbin" / "pgbouncer"
DIRECT_WORKERS = {"SCORING": 4, "VOLUNTEERING": 4, "REGISTRATION": 1, "GATEWAY": 9}  # --no-pooler
QUEUE = sib.SCORING_QUEUE
say = gb.say


def connect(dbname=DB_NAME):
    return psycopg2.connect(dbname=dbname, options="-c timezone=Asia/Shanghai", **sb.SERVER)


# The three benches' helpers read their module constants when they run, and each pointed
# gateway_bench's at its own when imported: all pointed here. settlement_bench's connect() binds
# its database as a default argument, so it is replaced; it also pinned DATABASE_URL in os.environ.
gb.DB_NAME, gb.DB_URL, gb.VHOST, gb.AMQP_URI, gb.LOG_DIR = DB_NAME, DIRECT_URL, VHOST, AMQP_URI, LOG_DIR
gb.GATEWAY_PORT, gb.REGISTRATION_PORT = GATEWAY_PORT, REGISTRATION_PORT
cb.GATEWAY_PORT, cb.REGISTRATION_PORT, cb.VOLUNTEERING_PORT = GATEWAY_PORT, REGISTRATION_PORT, VOLUNTEERING_PORTS[0]
cb.API = f"http://{HOST}:{GATEWAY_PORT}/api/v1"
sib.DB_NAME, sib.VHOST, sib.LOG_DIR = DB_NAME, VHOST, LOG_DIR
sb.DB_NAME, sb.DB_URL, sb.VHOST, sb.AMQP_URI, sb.connect = DB_NAME, DIRECT_URL, VHOST, AMQP_URI, connect
os.environ["DATABASE_URL"] = os.environ["SCORING_DATABASE_URL"] = DIRECT_URL


def env(args, **extra):
    """gateway_bench's environment, every service's database through the pooler (or not), and
    the workers: config.yaml's through the pooler, DIRECT_WORKERS without it."""
    url = DIRECT_URL if args.no_pooler else POOLED_URL
    e = gb.service_env(DATABASE_URL=url, **{f"{s}_DATABASE_URL": url for s in DIRECT_WORKERS}, **extra)
    for service, workers in DIRECT_WORKERS.items():
        e.pop(f"{service}_MAX_WORKERS", None)
        if args.no_pooler:
            e[f"{service}_MAX_WORKERS"] = str(workers)
    return e


def budget(args):
    """(the most PostgreSQL connections the platform opens, a line saying so)"""
    from toolkit.db import pool_limit
    if not args.no_pooler:
        return args.server_pool, (f"through PgBouncer (transaction pooling), workers as config.yaml: at most "
                                  f"{args.server_pool} PostgreSQL connections (--server-pool)")
    processes = {"SCORING": 3, "VOLUNTEERING": 2, "REGISTRATION": 1, "GATEWAY": 1}
    most = sum(n * pool_limit(DIRECT_WORKERS[s], one_statement=s == "REGISTRATION") for s, n in processes.items())
    return most, ("no pooler, workers " + ", ".join(f"{s.lower()} {DIRECT_WORKERS[s]} x {n}" for s, n in processes.items())
                  + f": at most {most} PostgreSQL connections")


def start_pooler(procs, size):
    """PgBouncer with deploy/pgbouncer/pgbouncer.ini's settings, as toolkit/tests/test_pooler.py runs it."""
    d = LOG_DIR / "pgbouncer"
    d.mkdir(parents=True, exist_ok=True)
    ini = configparser.ConfigParser()
    ini.read(ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini")
    ini["pgbouncer"].update({"listen_addr": HOST, "listen_port": str(POOLER_PORT), "unix_socket_dir": "",
                             "auth_file": str(d / "users.txt"), "logfile": "", "default_pool_size": str(size)})
    ini["databases"] = {DB_NAME: f"host=127.0.0.1 port=5432 dbname={DB_NAME}"}
    (d / "users.txt").write_text('"root" ""\n')
    with open(d / "pgbouncer.ini", "w") as f:
        ini.write(f)
    for path in (LOG_DIR, d, d / "users.txt", d / "pgbouncer.ini"):  # read by `nobody`
        path.chmod(0o755 if path.is_dir() else 0o644)
    user = ["-u", "nobody"] if os.geteuid() == 0 else []  # PgBouncer will not run as root
    p = gb.Proc("pgbouncer", [str(PGBOUNCER), *user, str(d / "pgbouncer.ini")], ROOT, dict(os.environ))
    procs.append(p)
    deadline = time.monotonic() + 10
    while gb.port_free(POOLER_PORT):
        if not p.alive() or time.monotonic() > deadline:
            raise RuntimeError(f"PgBouncer did not start; see {p.log_path}")
        time.sleep(0.1)


def start_platform(procs, args, accepted):
    """Volunteering (2) first, registration (its relay publishes the community's events, from which
    volunteering learns the active members), the gateway; scoring (3) last."""
    def start(service, ports, cwd=None, web=None):
        for i, port in enumerate(ports):
            label = f"{service}{i + 1}" if len(ports) > 1 else service
            procs.append(gb.nameko(label, f"{service}.service", ROOT / (cwd or f"services/{service}"), "config.yaml",
                                   env(args, **({web: f"{HOST}:{port}"} if web else {}))))
        for port in ports:
            gb.wait_healthy(f"http://{HOST}:{port}/health", procs)

    start("volunteering", VOLUNTEERING_PORTS, web="VOLUNTEERING_WEB_ADDRESS")
    start("registration", [REGISTRATION_PORT])
    start("gateway", [GATEWAY_PORT], cwd="gateway")
    deadline = time.monotonic() + 90
    while cb.sql("SELECT count(*) FROM volunteering.members WHERE active AND community_code = :c",
                 c=cb.COMMUNITY)[0][0] < len(accepted):
        if time.monotonic() > deadline:
            raise RuntimeError(f"volunteering does not know every accepted member after 90 s; see {LOG_DIR}")
        time.sleep(0.5)
    start("scoring", SCORING_PORTS, web="SCORING_WEB_ADDRESS")


class Sampler(threading.Thread):
    """Every 0.25 s: scoring's intake queue's ready messages (a passive declare) and PostgreSQL's
    connections to the bench's database (the bench's own few included)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples, self.halt, self.error = [], threading.Event(), None

    def run(self):
        broker, conn = sib.Broker(), connect()
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                while not self.halt.is_set():
                    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (DB_NAME,))
                    self.samples.append((time.time(), broker.ready(QUEUE), cur.fetchone()[0]))
                    self.halt.wait(0.25)
        except Exception as exc:  # reported with the figures
            self.error = exc
        finally:
            broker.close()
            conn.close()

    def peak(self, t0, t1):
        """(largest depth, most connections) sampled between two time.time()s."""
        inside = [s for s in self.samples if t0 - 0.3 <= s[0] <= t1 + 0.3]
        return max((s[1] for s in inside), default=0), max((s[2] for s in inside), default=0)


class Burst:
    """N events made beforehand by a publisher process of its own (as volunteering's relay is one;
    this process is the load generator), published at go(): sib.Broker, confirms per 1,000."""

    def __init__(self, n, seed):
        self.n, self.label = n, "publisher"
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--publish", str(n), str(seed)],
                                     cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.pid = self.proc.pid
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the publisher process did not start (see above)")
        ((self.base,),) = sib.sql("SELECT coalesce(max(id), 0) FROM scoring.ledger")

    def go(self):
        self.t0, self.launched = time.time(), time.perf_counter()
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def finish(self, procs, meter=None):
        """Wait for N entries after the ledger's last id before go(); the figures."""
        _, cpu, _ = sib.wait_rows(f"scoring.ledger WHERE id > {self.base}", self.n, procs, self.launched, meter)
        published = json.loads(self.proc.stdout.readline())["seconds"]
        self.proc.wait(30)
        ((rows, last),) = sib.sql("SELECT count(*), extract(epoch FROM max(recorded_at)) FROM scoring.ledger "
                                  "WHERE id > %s", (self.base,))
        seconds = float(last) - self.t0
        return dict(rows=rows, seconds=seconds, rate=self.n / seconds, published=published, cpu=cpu, t0=self.t0,
                    t1=float(last))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def publish(n, seed):
    """--publish: the publisher process."""
    events = sib.make_events(n, seed)
    broker = sib.Broker()
    print("ready", flush=True)
    sys.stdin.readline()
    t = time.perf_counter()
    broker.publish(events)
    print(json.dumps({"seconds": time.perf_counter() - t}), flush=True)
    broker.close()


def settle(period, procs, timeout):
    t0 = time.time()
    seconds, _, run, _, cpu = sb.settle(period, procs, timeout)
    total = run.get("total") or 0
    return dict(seconds=seconds, rate=total / seconds, run=run, cpu=cpu, t0=t0, t1=t0 + seconds,
                ok=bool(run.get("done")) and run.get("drafted") == total and total > 0)


class CheckIns:
    """checkin_bench's requests: client i's k-th check-in (over both windows) is to activity k,
    with the organizer's current code (fetched before each window)."""

    def __init__(self, tokens, activities, staff):
        self.tokens, self.activities, self.staff = tokens, activities, staff
        self.done, self.ran_out, self.codes = [0] * len(tokens), set(), {}

    def fresh_codes(self):
        self.codes = dict(zip(self.activities, cb.parallel(lambda a: cb.call(
            "GET", f"/communities/{cb.COMMUNITY}/activities/{a}/check-in-code", self.staff)["code"], self.activities)))

    def __call__(self, i):
        k = self.done[i]
        self.done[i] += 1
        if k >= len(self.activities):  # the last activity again: a 409, counted as an error
            self.ran_out.add(i)
            k = len(self.activities) - 1
        a = self.activities[k]
        return ("POST", f"{cb.API}/me/activities/{a}/check-in", json.dumps({"code": self.codes[a]}).encode(),
                cb.auth(self.tokens[i]))


def checkin_window(label, checkins, args, procs, kickoff=None):
    """gateway_bench.run_load, each client its own member; `kickoff` is called as the window opens.
    The result carries the window's time.time()s and the /metrics of the gateway and volunteering."""
    checkins.fresh_codes()
    opened = []

    def mark():
        if not opened:
            opened.append(time.time())
            if kickoff:
                kickoff()
        return gb.entrypoint_totals([GATEWAY_PORT], "api"), gb.entrypoint_totals(VOLUNTEERING_PORTS, "check_in")

    r = gb.run_load(label, checkins, 200, args.clients, args.warmup, args.seconds, per_client=True,
                    meter=gb.CpuMeter(procs, count_sessions=True), window_mark=mark)
    r.t0, r.t1 = opened[0], opened[0] + r.seconds
    (g0, v0), (g1, v1) = r.marks
    r.split = (gb.mean_between(g0, g1), gb.mean_between(v0, v1))
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20, help="each check-in window")
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--activities", type=int, default=500, help="the most check-ins one client makes in both windows")
    ap.add_argument("--events", type=int, default=20_000, help="service_completed events per burst")
    ap.add_argument("--members", type=int, default=300_000, help="settlement city's members")
    ap.add_argument("--entries", type=int, default=6_000_000, help="settlement city's ledger entries")
    ap.add_argument("--period", default="2026H1", help="the half year settled (the bursts' events are in 2026H1)")
    ap.add_argument("--no-pooler", action="store_true", help="services straight to PostgreSQL, fewer workers")
    ap.add_argument("--server-pool", type=int, default=30, help="PgBouncer's server connections")
    ap.add_argument("--timeout", type=float, default=600, help="seconds a settlement may take")
    ap.add_argument("--publish", nargs=2, type=int, help=argparse.SUPPRESS)  # the publisher process
    args = ap.parse_args(argv)
    if args.publish:
        publish(*args.publish)
        return 0
    if args.warmup + args.seconds > 45:
        sys.exit("warm-up + window must stay under 45 s: the organizer's codes are fetched once, before them")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind through `finally`
    ports = [GATEWAY_PORT, REGISTRATION_PORT, POOLER_PORT] + VOLUNTEERING_PORTS + SCORING_PORTS
    if [p for p in ports if not gb.port_free(p)]:
        sys.exit(f"ports in use: {[p for p in ports if not gb.port_free(p)]}; is another festival bench running?")
    most, budget_line = budget(args)
    busy = gb.machine_busy()
    say(f"== festival benchmark: {args.clients} clients, {args.seconds:g} s windows after {args.warmup:g} s, bursts of "
        f"{args.events:,} events, a city of {args.members:,} members / {args.entries:,} entries; {os.cpu_count()} CPUs, "
        f"{busy:.0f}% busy before the start; logs in {LOG_DIR} ==")
    say(f"connections: {budget_line}")
    procs, bursts, alone, together = [], [], {}, {}
    sampler = Sampler()
    try:
        say(f"setting up: vhost {VHOST}, database {DB_NAME}")
        gb.prepare_broker()
        sb.ensure_database()
        # the services ask for the city's clock in `options`, which PgBouncer drops: the database's setting
        sb.query(f"ALTER DATABASE {DB_NAME} SET timezone TO 'Asia/Shanghai'")
        _, accepted = cb.prepare()
        if len(accepted) < args.clients:
            raise RuntimeError(f"only {len(accepted)} accepted members in {cb.COMMUNITY}, {args.clients} clients")
        cb.create_accounts(accepted[:args.clients])
        sb.rebuild_schema()
        t = time.perf_counter()
        sb.load_city(sb.City(args.members), args.entries, args.period)
        say(f"  settlement city loaded in {time.perf_counter() - t:.0f} s")
        sib.wait_connections(most + 4, 300)
        if not args.no_pooler:
            start_pooler(procs, args.server_pool)
        start_platform(procs, args, accepted)
        sampler.start()
        staff = cb.log_in(cb.STAFF)
        tokens = cb.parallel(cb.log_in, [f"member{m}" for m in accepted[:args.clients]], workers=4)
        activities, kind, _ = cb.announce(staff, args.activities)
        t = time.perf_counter()
        signups = cb.sign_up_all(tokens, activities, args.clients)
        say(f"  {len(activities)} activities ({kind}), {signups:,} sign-ups in {time.perf_counter() - t:.0f} s")
        checkins = CheckIns(tokens, activities, staff)

        say("alone: check-ins ...")
        alone["checkin"] = checkin_window("check-ins alone", checkins, args, procs)
        say(f"  {alone['checkin'].line()}")
        say("alone: burst ...")
        bursts.append(Burst(args.events, seed=1))
        bursts[-1].go()
        meter = gb.CpuMeter(procs + [bursts[-1]])
        meter.groups["bench (polls)"] = meter.groups.pop("load generator")
        alone["burst"] = bursts[-1].finish(procs, meter)
        say(f"  {alone['burst']['rate']:.0f} events/s")
        other = args.period[:5] + ("2" if args.period.endswith("1") else "1")
        say(f"alone: settlement (warm-up over {other} first) ...")
        settle(other, procs, args.timeout)
        sb.clear_settlements()
        alone["settle"] = settle(args.period, procs, args.timeout)
        sb.clear_settlements()

        say("together: check-ins; the burst and the settlement start as the window opens ...")
        bursts.append(Burst(args.events, seed=2))
        settling = []  # the settlement, in a daemon thread (a failed run must not hold the exit)

        def kickoff():
            bursts[-1].go()
            settling.append(threading.Thread(target=lambda: together.update(settle=settle(
                args.period, procs, args.timeout)), daemon=True))
            settling[0].start()

        together["checkin"] = checkin_window("check-ins together", checkins, args, procs + [bursts[-1]], kickoff)
        together["burst"] = bursts[-1].finish(procs)
        settling[0].join(args.timeout + 60)
        if "settle" not in together:
            raise RuntimeError("the settlement together failed or did not finish (see above)")
        stored = cb.checked_in_in_db()
        depth = sib.queue_depth(QUEUE)
    finally:
        sampler.halt.set()
        for b in bursts:
            b.kill()
        gb.stop_all(procs)
        try:
            sb.end_backends()
        except Exception as exc:
            say(f"  ! could not end the backends of {DB_NAME}: {exc}")
    return report(args, alone, together, sampler, stored, depth, checkins, budget_line)


def report(args, a, t, sampler, stored, depth, checkins, budget_line):
    """a, t: the figures alone and together."""
    def peak(r, which):  # over the phase's three spans, or only the burst's (depth)
        spans = [(r["checkin"].t0, r["checkin"].t1), (r["burst"]["t0"], r["burst"]["t1"]),
                 (r["settle"]["t0"], r["settle"]["t1"])]
        return max(sampler.peak(*span)[which] for span in (spans[1:2] if which == 0 else spans))

    def row(name, x, y, fmt="{:,.1f}"):
        say(f"{name:<54}{fmt.format(x):>11}{fmt.format(y):>11}{(y / x if x else float('nan')):>12.2f}x")

    say("")
    say(f"== results: gateway, registration, 2 volunteering, 3 scoring; {budget_line} ==")
    say(f"{'':<54}{'alone':>11}{'together':>11}{'together/alone':>16}")
    ca, ct, ba, bt, sa, st = a["checkin"], t["checkin"], a["burst"], t["burst"], a["settle"], t["settle"]
    row(f"check-ins/s ({args.clients} clients)", ca.rate, ct.rate)
    row("check-in p50, ms", ca.pct_ms(50), ct.pct_ms(50))
    row("check-in p99, ms", ca.pct_ms(99), ct.pct_ms(99))
    row(f"events/s into the ledger ({args.events:,}, publish to last entry)", ba["rate"], bt["rate"], "{:,.0f}")
    row("largest depth of scoring's intake queue (ready)", peak(a, 0), peak(t, 0), "{:,.0f}")
    row("burst: publish to last entry, s", ba["seconds"], bt["seconds"], "{:.2f}")
    row("burst: of which publishing (the publisher's own), s", ba["published"], bt["published"], "{:.2f}")
    row(f"settlement of {sa['run'].get('total')} communities, s", sa["seconds"], st["seconds"], "{:.2f}")
    row("settlement, communities/s", sa["rate"], st["rate"])
    row("peak PostgreSQL connections to the bench's database", peak(a, 1), peak(t, 1), "{:,.0f}")
    say(f"together: the check-in window ran {ct.seconds:.1f} s; the burst's last entry came {bt['t1'] - ct.t0:.1f} s "
        f"and the settlement was done {st['t1'] - ct.t0:.1f} s after it opened")
    if min(bt["t1"], st["t1"]) - ct.t0 < 0.5 * ct.seconds:
        say("  (the burst or the settlement was over before half the window: more --events or a larger city, or a "
            "shorter --seconds, overlap more)")
    say(f"connections: {budget_line}; the peaks include the bench's own (up to ~5)")
    if ba["published"] > 0.8 * ba["seconds"]:
        say("  !! publishing took most of the burst's time: its events/s is the publisher's, not scoring's")
    for side, c in (("alone", ca), ("together", ct)):
        say(f"check-ins {side}: {c.line()}; inside (mean, /metrics): gateway api {c.split[0]:.1f} ms, "
            f"volunteering check_in {c.split[1]:.1f} ms\n  {gb.cpu_line(c.cpu)}")
    for label, cpu in (("burst alone, first poll to last entry", ba["cpu"]), ("settlement alone", sa["cpu"]),
                       ("settlement together", st["cpu"])):
        say(f"{label}: {gb.cpu_line(cpu)}")
    if sampler.error:
        say(f"  !! the depth/connections sampler stopped: {sampler.error!r}")

    say("")
    say("== verification ==")
    failures = []

    def check(ok, text):
        say(f"  {'PASS' if ok else 'FAIL'}: {text}")
        failures.extend([] if ok else [text])

    for side, r in (("alone", a), ("together", t)):
        c, run = r["checkin"], r["settle"]["run"]
        check(not c.unexpected and c.n, f"check-ins {side}: {dict(c.statuses)} {'; '.join(c.errors[:2])}")
        check(r["burst"]["rows"] == args.events, f"burst {side}: {r['burst']['rows']:,} entries of {args.events:,}")
        check(r["settle"]["ok"], f"settlement {side}: run {run.get('run_id')}, {run.get('drafted')} drafted of "
              f"{run.get('total')}, {run.get('skipped')} skipped, {run.get('pending')} pending")
    answered = ca.statuses.get(200, 0) + ct.statuses.get(200, 0)
    check(stored == answered, f"{stored:,} check-ins in the database, {answered:,} answered 200")
    check(not checkins.ran_out, f"no client ran out of activities (most: {max(checkins.done)} of "
          f"{len(checkins.activities)}, warm-ups included)")
    check(depth is not None and depth[0] == depth[1] == 0, f"scoring's intake queue empty afterwards (ready, "
          f"unacked, consumers: {depth})")
    if failures:
        say(f"\nFAILED: {len(failures)} verification(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
