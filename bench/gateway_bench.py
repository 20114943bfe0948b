"""Member registration through the gateway against a bare nameko @http route.

    .venv/bin/python bench/gateway_bench.py                  # bare + gateway, 20 clients, 20 s each
    .venv/bin/python bench/gateway_bench.py --floor                  # also HTTP + 1 RPC doing nothing
    .venv/bin/python bench/gateway_bench.py --floor --decompose      # also the checks without the database
    .venv/bin/python bench/gateway_bench.py --variants --probe
    .venv/bin/python bench/gateway_bench.py --skip-bare --profile            # py-spy (pip install py-spy)

Issue figure: "Member registration through the gateway at 20 concurrent clients: requests/s, p50
and p99, against a bare nameko @http route returning a constant on the same machine. Goal: at
least 40% of the bare rate; p99 under 150 ms."

What it does, in order:
  1. isolates itself: PostgreSQL database `bench_gw` (schema `registration` dropped, migrated and
     loaded with a synthetic city of 80 communities and 400 units), RabbitMQ vhost `sbd_bench`
     (recreated, so no message of an earlier, aborted run is waiting in rpc-registration), and
     ports 18280 (gateway), 18281 (registration web), 18282 (bare), 18283+ (extra registration
     replicas); nothing of a running demo or of the tests is touched;
  2. runs the bare service (bench/gateway_bare_service.py, `nameko run`) and loads it;
  3. runs registration and gateway as real `nameko run` processes and loads
     POST /api/v1/communities/{code}/member-registrations with a unique member per request;
  4. optionally: --decompose (the real gateway and registration, a member report writing nothing:
     bench/gateway_nodb_service.py), --variants (50 registration workers; 2 registration processes), --probe
     (single-client timings of each layer), --profile (py-spy of gateway and registration).

Every scenario starts from a fresh schema and fresh processes. Besides req/s and percentiles it
prints each process's CPU during the window, the mean time spent inside the gateway's and the
service's workers (from their /metrics), and warns when something outside the benchmark used the
CPU: on a 2-core machine another process's work shows up as a lower rate here.

The load generator is this process: plain threads (no eventlet), one requests.Session per client
(keep-alive), a warm-up, then a fixed window (--seconds) or a fixed count (--requests). Every
service process is stopped in `finally`, whatever happens.

Exit status 1 if any request got another status than expected (every registration must be 201)
or the database does not hold exactly as many registrations as were answered 201. The goals are
printed PASS/FAIL and do not change the exit status.
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

# the probe imports nameko, which imports eventlet, which warns that it is deprecated: noise here
warnings.filterwarnings("ignore", category=DeprecationWarning)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
GATEWAY_PORT, REGISTRATION_PORT, BARE_PORT = 18280, 18281, 18282
EXTRA_REGISTRATION_PORT = 18283  # second, third... registration replica (each needs a web port)
DB_NAME = "bench_gw"
ADMIN_DSN = "postgresql://root@127.0.0.1:5432/root"
DB_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
VHOST = "sbd_bench"
AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
LOG_DIR = Path(os.environ.get("GATEWAY_BENCH_LOGS", "/tmp/gateway_bench"))

JWT_SECRET = "gateway-bench-" + os.urandom(16).hex()
# callers in RPC contexts are signed: this process and the services it starts share one secret
# (every bench imports this module)
os.environ.setdefault("RPC_CONTEXT_SECRET", "bench-" + os.urandom(16).hex())
STAFF_PASSWORD = "Bench-pass-2026"

GOAL_RATIO = 0.40
GOAL_P99_MS = 150.0


# --- environment: database, broker, processes --------------------------------------------------

def say(text):
    print(text, flush=True)


def service_env(**extra):
    """Environment of every service process: the bench's own database, vhost and addresses.
    Both DATABASE_URL and REGISTRATION_DATABASE_URL are set, because the second wins when present
    and an inherited one would otherwise point the service at someone else's database."""
    env = dict(os.environ)
    env.update(AMQP_URI=AMQP_URI, DATABASE_URL=DB_URL, REGISTRATION_DATABASE_URL=DB_URL,
               GATEWAY_DATABASE_URL=DB_URL, GATEWAY_JWT_SECRET=JWT_SECRET,
               GATEWAY_ADDRESS=f"{HOST}:{GATEWAY_PORT}", REGISTRATION_WEB_ADDRESS=f"{HOST}:{REGISTRATION_PORT}",
               PYTHONWARNINGS="ignore::DeprecationWarning", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def prepare_broker():
    """A fresh vhost: a durable rpc-registration queue left by an aborted run could still hold
    registrations, which the new service would replay into the new database."""
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)  # may not exist
    for cmd in (["add_vhost", VHOST], ["set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"]):
        subprocess.run(["rabbitmqctl", "-q", *cmd], check=True, capture_output=True)


def prepare_database(city_shape):
    """Create bench_gw if missing, rebuild the registration schema and load a city. Returns the
    community codes, the unit ids and the identity numbers already taken."""
    import psycopg2
    from sqlalchemy import text
    from registration import city as citygen
    from toolkit.db import make_engine

    admin = psycopg2.connect(ADMIN_DSN)
    admin.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    admin.close()

    engine = make_engine(DB_URL, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS registration CASCADE"))
    subprocess.run([str(BIN / "python"), "-m", "toolkit.migrate", "services/registration"], cwd=ROOT,
                   env=service_env(), check=True, capture_output=True)
    counts = citygen.load(engine, citygen.generate(**city_shape))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))  # COPY-loaded tables have no statistics yet
        communities = conn.execute(text("SELECT code FROM registration.communities ORDER BY code")).scalars().all()
        units = conn.execute(text("SELECT id FROM registration.units ORDER BY id")).scalars().all()
        taken = set(conn.execute(text("SELECT id_number FROM registration.members")).scalars())
    engine.dispose()
    return counts, communities, units, taken


def prepare_accounts(communities):
    """The gateway's schema, rebuilt, with one community staff account per community: a
    registration is the act of the community's service center, so each request is sent with
    the token of the community it registers in (as in production: token check and audit line
    included in the figure)."""
    from sqlalchemy import text
    from gateway.accounts import create_account
    from toolkit.db import make_engine
    engine = make_engine(DB_URL, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS gateway CASCADE"))
    subprocess.run([str(BIN / "python"), "-m", "toolkit.migrate", "gateway"], cwd=ROOT,
                   env=service_env(), check=True, capture_output=True)
    with engine.begin() as conn:
        for code in communities:
            create_account(conn, f"staff.{code}", f"{code} 党群服务中心", "community_staff", code, STAFF_PASSWORD,
                           created_by="gateway_bench")
    engine.dispose()


def login_staff(communities):
    """community code -> Authorization header of its staff account (logged in on the gateway)."""
    headers = {}
    for code in communities:
        r = requests.post(f"http://{HOST}:{GATEWAY_PORT}/api/v1/auth/login",
                          json={"username": f"staff.{code}", "password": STAFF_PASSWORD}, timeout=30)
        r.raise_for_status()
        headers[code] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return headers


def registrations_in_db(source="form"):
    from sqlalchemy import text
    from toolkit.db import make_engine
    engine = make_engine(DB_URL, pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM registration.member_registrations WHERE source = :s"),
                         {"s": source}).scalar()
    engine.dispose()
    return n


def port_free(port):
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) != 0


class Proc:
    """One `nameko run` process in a session of its own, its output in a log file."""

    def __init__(self, label, args, cwd, env):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.label = label
        self.log_path = LOG_DIR / f"{label}.log"
        self.log = open(self.log_path, "w")
        self.popen = subprocess.Popen(args, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def stop(self):
        """SIGTERM (nameko stops its containers gracefully), then SIGKILL of this process's own
        group if it does not exit in time."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
        self.log.close()


def nameko(label, module, cwd, config, env):
    return Proc(label, [str(BIN / "nameko"), "run", "--config", str(config), module], cwd, env)


def wait_healthy(url, procs, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if not p.alive():
                raise RuntimeError(f"{p.label} exited during start; see {p.log_path}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


def start_bare(procs):
    p = nameko("bare", "gateway_bare_service", BENCH, ROOT / "gateway" / "config.yaml",
               service_env(GATEWAY_ADDRESS=f"{HOST}:{BARE_PORT}"))
    procs.append(p)
    wait_healthy(f"http://{HOST}:{BARE_PORT}/health", [p])
    return p


def start_floor(procs):
    """gateway_floor_service: HTTP + one RPC + JSON, in two processes with the platform's configs."""
    core = nameko("floor_core", "gateway_floor_service:FloorCore", BENCH,
                  ROOT / "services" / "registration" / "config.yaml", service_env())
    edge = nameko("floor_edge", "gateway_floor_service:FloorEdge", BENCH, ROOT / "gateway" / "config.yaml",
                  service_env(GATEWAY_ADDRESS=f"{HOST}:{BARE_PORT}"))
    procs.extend([core, edge])
    wait_healthy(f"http://{HOST}:{BARE_PORT}/health", [core, edge])
    # the edge answers /health before the core consumes: wait for one whole round trip
    reports = Reports(["410106001001"], [1], set(), port=BARE_PORT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        method, url, body, _ = reports.next_request()
        try:
            if requests.post(url, data=body, headers=JSON_HEADERS, timeout=5).status_code == 201:
                return reports
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("the floor services did not answer within 60 s")


def start_platform(procs, workers, replicas, module="registration.service"):
    """Registration replica(s) and the gateway, as run.sh starts them (only env differs). `module`
    may name the decomposition's registration without database work (gateway_nodb_service)."""
    started = []
    for i in range(replicas):
        port = REGISTRATION_PORT if i == 0 else EXTRA_REGISTRATION_PORT + i - 1
        env = service_env(REGISTRATION_WEB_ADDRESS=f"{HOST}:{port}")
        if module != "registration.service":
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH")]))
        if workers:
            env["REGISTRATION_MAX_WORKERS"] = str(workers)
        else:
            env.pop("REGISTRATION_MAX_WORKERS", None)  # config.yaml's default, as deployed
        p = nameko(f"registration{i + 1}", module, ROOT / "services" / "registration", "config.yaml", env)
        procs.append(p)
        started.append((p, port))
    for p, port in started:
        wait_healthy(f"http://{HOST}:{port}/health", [p])
    gw = nameko("gateway", "gateway.service", ROOT / "gateway", "config.yaml", service_env())
    procs.append(gw)
    wait_healthy(f"http://{HOST}:{GATEWAY_PORT}/health", [gw] + [p for p, _ in started])
    return gw, started


def stop_all(procs):
    while procs:
        p = procs.pop()
        try:
            p.stop()
        except Exception as exc:  # keep stopping the others
            say(f"  ! could not stop {p.label} (pid {p.pid}): {exc}")


# --- requests -------------------------------------------------------------------------------

class Reports:
    """Unique member registrations spread over the loaded communities and units. sample_report
    draws identity numbers at random, so two seeds (or a seed and a loaded member) can meet: a
    repeated number is skipped here, because the service would rightly answer 409."""

    def __init__(self, communities, units, taken, first_seed=1_000_000, port=GATEWAY_PORT):
        from registration.city import sample_report
        self.sample_report = sample_report
        self.port = port
        self.communities, self.units = communities, units
        self.taken = set(taken)
        self.seed = first_seed
        self.lock = threading.Lock()
        self.auth = {}  # community code -> Authorization header (none for the floor)

    def next_report(self):
        with self.lock:
            while True:
                self.seed += 1
                rng = random.Random(self.seed)
                code = rng.choice(self.communities)
                report = self.sample_report(code, rng.choice(self.units), seed=self.seed)
                if report["id_number"] not in self.taken:
                    self.taken.add(report["id_number"])
                    return report

    def next_request(self):
        report = self.next_report()
        code = report.pop("community_code")  # the path names the community
        body = json.dumps(report, ensure_ascii=False).encode()
        return ("POST", f"http://{HOST}:{self.port}/api/v1/communities/{code}/member-registrations", body,
                self.auth.get(code, {}))


def bare_request():
    return "GET", f"http://{HOST}:{BARE_PORT}/const", None


JSON_HEADERS = {"Content-Type": "application/json"}


# --- CPU accounting -------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    """Fields of /proc/<pid>/stat after the command name (so index 0 is field 3, the state)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()
    except OSError:
        return None


def _ticks(pid, children=False):
    """utime + stime of a process in clock ticks (fields 14, 15), with `children` also cutime +
    cstime (16, 17): the CPU of its exited children, e.g. a postmaster's finished backends and
    autovacuum workers, which would otherwise vanish between two samples."""
    fields = _stat(pid)
    if not fields:
        return 0
    ticks = int(fields[11]) + int(fields[12])
    return ticks + int(fields[13]) + int(fields[14]) if children else ticks


def _pids_named(comm, keep=lambda cmdline: True):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() != comm:
                        continue
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if keep(f.read().decode(errors="replace")):
                        out.append(int(entry))
            except OSError:
                pass
    return out


def _ours_or_shared(cmdline):
    """A PostgreSQL client backend titles itself "postgres: ... user db host(port) state": keep
    the backends of bench_gw (not those of the tests or of another benchmark) and the shared
    processes (WAL writer, checkpointer...), which work for every database."""
    client = "(" in cmdline or "[local]" in cmdline
    return not client or f" {DB_NAME} " in cmdline


class CpuMeter:
    """CPU used during the measured window, per process of ours and for PostgreSQL and RabbitMQ
    (all their processes: with 2 cores, whoever else is busy is part of the answer)."""

    def __init__(self, procs, count_sessions=False):
        self.groups = {p.label: [p.pid] for p in procs}
        self.groups["load generator"] = [os.getpid()]
        # PostgreSQL counts the sessions opened per database (pg_stat_database.sessions, 14+): a
        # pool that closes and reopens connections under load shows here. One connection of our
        # own, opened now, so that it is not counted.
        self.pg = None
        if count_sessions:
            import psycopg2
            self.pg = psycopg2.connect(ADMIN_DSN.rsplit("/", 1)[0] + f"/{DB_NAME}")
            self.pg.autocommit = True

    def close(self):
        if self.pg is not None:
            self.pg.close()
            self.pg = None

    def sessions(self):
        if self.pg is None:
            return 0
        with self.pg.cursor() as cur:
            cur.execute("SELECT pg_stat_clear_snapshot()")  # else the figures are those of our first read
            cur.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", (DB_NAME,))
            return cur.fetchone()[0]

    def snap(self):
        # backends come and go with the pool, so the PostgreSQL processes are looked up each time
        # RabbitMQ is one process for every vhost: it cannot be split
        groups = dict(self.groups, postgres=_pids_named("postgres", _ours_or_shared), rabbitmq=_pids_named("beam.smp"))
        with open("/proc/stat") as f:
            cpu = [int(x) for x in f.readline().split()[1:9]]  # user..steal (guest is inside user)
        ticks = {k: {pid: _ticks(pid) for pid in pids} for k, pids in groups.items()}
        # The postmaster (the postgres process whose parent is not one) carries the CPU of its
        # exited children: backends closed by a pool, autovacuum workers... of every database,
        # so it is shown on its own line rather than as ours.
        postmasters = [pid for pid in groups["postgres"] if (st := _stat(pid)) and int(st[1]) not in groups["postgres"]]
        ticks["postgres exited backends (any db)"] = {
            pid: _ticks(pid, children=True) - _ticks(pid) for pid in postmasters}
        return time.perf_counter(), ticks, cpu, self.sessions()

    @staticmethod
    def diff(a, b):
        """% of one core per group, and the machine's busy share of all its cores."""
        (t0, g0, cpu0, s0), (t1, g1, cpu1, s1) = a, b
        wall = t1 - t0
        use = {}
        for k, pids in g1.items():
            ticks = sum(v - g0.get(k, {}).get(pid, 0) for pid, v in pids.items())
            use[k] = 100 * ticks / CLK_TCK / wall
        d = [y - x for x, y in zip(cpu0, cpu1)]
        total = max(1, sum(d))
        busy = 100 * (1 - (d[3] + d[4]) / total)          # idle and iowait are not busy
        cores = os.cpu_count()
        # interrupts (loopback TCP is processed in softirq) and steal belong to no process
        use["kernel irq/softirq/steal"] = 100 * cores * (d[5] + d[6] + d[7]) / total
        # and whatever is left ran in processes outside this benchmark
        use["other processes"] = max(0.0, busy * cores - sum(use.values()))
        return use, busy, (s1 - s0) / wall


OTHER_CPU_WARNING = 25  # % of one core: above this, something outside the benchmark competed for CPU


def machine_busy(seconds=2.0):
    """% of all cores busy over a short sample, before the benchmark starts anything."""
    def read():
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:9]]
    a = read()
    time.sleep(seconds)
    d = [y - x for x, y in zip(a, read())]
    return 100 * (1 - (d[3] + d[4]) / max(1, sum(d)))


def cpu_line(cpu):
    use, busy, sessions = cpu
    parts = ", ".join(f"{k} {v:.0f}%" for k, v in sorted(use.items(), key=lambda kv: -kv[1]))
    line = f"CPU (% of one core): {parts}; machine {busy:.0f}% busy of {os.cpu_count()} cores"
    if sessions:
        # each is a fork and a cold backend: a pool smaller than the workers closes and reopens
        line += f"\n  new PostgreSQL connections to {DB_NAME}: {sessions:.1f}/s"
    if use.get("load generator", 0) > 90:
        # Python threads share one GIL: at ~100% of a core the client, not the server, set the pace
        line += "\n  (the load generator was CPU-bound: this rate is a lower bound of the server's)"
    if use.get("other processes", 0) > OTHER_CPU_WARNING:
        line += "\n  !! other processes used the CPU during this run: its figures are not comparable"
    return line


# --- the load generator -------------------------------------------------------------------

@dataclass
class Result:
    label: str
    seconds: float
    latencies: list                      # seconds, requests completed inside the window
    statuses: Counter                    # every response, warm-up included
    expected: int
    errors: list = field(default_factory=list)
    cpu: tuple = None
    marks: tuple = (None, None)          # window_mark() at the start and at the end of the window
    # filled in by the gateway scenarios
    split: tuple = None                  # mean ms inside the gateway's and the service's workers
    city: dict = None
    stored: tuple = None                 # (registrations in the database, 201 answers)
    stored_ok: bool = True
    probe: list = None
    profiles: list = field(default_factory=list)

    @property
    def n(self):
        return len(self.latencies)

    @property
    def rate(self):
        return self.n / self.seconds if self.seconds else 0.0

    def pct_ms(self, p):
        """Nearest-rank percentile in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return 1000 * ordered[rank - 1]

    @property
    def unexpected(self):
        return sum(n for s, n in self.statuses.items() if s != self.expected)

    def line(self):
        return (f"{self.rate:9.1f} req/s   p50 {self.pct_ms(50):7.1f} ms   p99 {self.pct_ms(99):7.1f} ms   "
                f"(n={self.n}, mean {1000 * sum(self.latencies) / max(1, self.n):.1f} ms, "
                f"non-{self.expected}: {self.unexpected})")


def run_load(label, make_request, expected, clients, warmup, seconds, count=None, max_seconds=300, meter=None,
             window_mark=None, per_client=False):
    """`clients` threads, each with its own keep-alive Session, send back to back. Latency is
    request start to full body read; a request counts if it completed inside the window
    [end of warm-up, end of run]. With `count`, the window closes after that many requests.
    `meter` (CPU) and `window_mark` (any reading, e.g. the services' metrics) are taken at both
    ends of the window, so the warm-up is in neither."""
    samples = []          # (completed_at, latency, status); list.append is atomic under the GIL
    errors = []
    stop = threading.Event()

    def client(i):
        session = requests.Session()
        while not stop.is_set():
            # per_client: make_request(i) is client i's own (its account, its token)
            method, url, body, *extra = make_request(i) if per_client else make_request()
            headers = {**(JSON_HEADERS if body else {}), **((extra[0] if extra else None) or {})}
            t0 = time.perf_counter()
            try:
                r = session.request(method, url, data=body, headers=headers, timeout=30)
                status, text = r.status_code, r.text
            except requests.RequestException as exc:
                status, text = 0, repr(exc)
            t1 = time.perf_counter()
            samples.append((t1, t1 - t0, status))
            if status != expected and len(errors) < 5:
                errors.append(f"{status} {url}: {text[:300]}")
        session.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    mark0 = window_mark() if window_mark else None
    cpu0 = meter.snap() if meter else None
    start = time.perf_counter()
    begun = len(samples)
    hard_stop = start + max_seconds
    if count:
        while len(samples) - begun < count and time.perf_counter() < hard_stop:
            time.sleep(0.01)
    else:
        time.sleep(seconds)
    end = time.perf_counter()
    cpu1 = meter.snap() if meter else None
    if meter:
        meter.close()
    mark1 = window_mark() if window_mark else None
    stop.set()
    for t in threads:
        t.join(35)
    window = [lat for done, lat, status in samples if start <= done <= end and status == expected]
    cpu = CpuMeter.diff(cpu0, cpu1) if meter else None
    return Result(label, end - start, window, Counter(s for _, _, s in samples), expected, errors, cpu,
                  (mark0, mark1))


# --- where the time goes ----------------------------------------------------------------------

METRIC = re.compile(r'^sbd_entrypoint_seconds_(sum|count)\{(.*?)\} (\S+)$')


def entrypoint_totals(ports, entrypoint):
    """(seconds, calls) of one entrypoint from the services' own Prometheus histograms, summed
    over replicas: the time each worker spent, measured inside the process."""
    total, calls = 0.0, 0
    for port in ports:
        for line in requests.get(f"http://{HOST}:{port}/metrics", timeout=5).text.splitlines():
            m = METRIC.match(line)
            if m and f'entrypoint="{entrypoint}"' in m.group(2):
                if m.group(1) == "sum":
                    total += float(m.group(3))
                else:
                    calls += int(float(m.group(3)))
    return total, calls


def mean_between(before, after):
    (s0, n0), (s1, n1) = before, after
    return 1000 * (s1 - s0) / (n1 - n0) if n1 > n0 else float("nan")


def timed(fn, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1000 * times[len(times) // 2], 1000 * sum(times) / len(times)


def probe(reports, n):
    """One client, no contention: median and mean of each layer of a registration."""
    from nameko.standalone.rpc import ClusterRpcProxy
    from contracts import registration as c
    from registration import handlers
    from registration.models import metadata
    from toolkit.db import Store
    from toolkit.validation import load

    session = requests.Session()
    rows = []

    def http_post():
        method, url, body, auth = reports.next_request()
        r = session.post(url, data=body, headers={**JSON_HEADERS, **auth})
        assert r.status_code == 201, r.text

    rows.append(("GET /health on the gateway (HTTP + nameko worker, no RPC)",
                 timed(lambda: session.get(f"http://{HOST}:{GATEWAY_PORT}/health"), n)))
    from contracts.access import Caller
    from toolkit.caller import SignedAtEachCall
    # straight to the service, as the gateway would call it for a city administrator (signed at
    # each call, as the gateway signs it)
    caller = SignedAtEachCall(Caller(1, "bench", "city_admin", ""))
    with ClusterRpcProxy({"AMQP_URI": AMQP_URI}, context_data=caller) as cluster:
        rows.append(("RPC registration.list_districts (RPC round trip, 1 small query)",
                     timed(lambda: cluster.registration.list_districts(), n)))
        rows.append(("RPC registration.report_member (RPC + validation + DB)",
                     timed(lambda: cluster.registration.report_member(reports.next_report()), n)))
    rows.append(("POST member-registrations via gateway (everything)", timed(http_post, n)))
    # the use case alone, in this process: validation, the use case's statements and the commit
    store = Store("registration", metadata, url=DB_URL, relay=False, pool_size=1, max_overflow=0)

    def direct():
        req = load(c.MemberReport, reports.next_report())
        with store.unit_of_work(one_statement=True) as uow:
            handlers.report_member(uow, req)
    rows.append(("handlers.report_member in-process (validation + DB, no nameko)", timed(direct, n)))
    store.dispose()
    return rows


# --- profiling --------------------------------------------------------------------------------

def pyspy_path():
    """py-spy on PATH, or in a throwaway venv (python3 -m venv /tmp/pyspy && /tmp/pyspy/bin/pip
    install py-spy) so that the project's .venv is left as it is."""
    fallback = Path("/tmp/pyspy/bin/py-spy")
    return shutil.which("py-spy") or (str(fallback) if fallback.exists() else None)


def start_profiles(targets, seconds):
    """py-spy (if installed) records each process for the measured window, in collapsed stacks."""
    spy = pyspy_path()
    if not spy:
        say("  (py-spy not found: pip install py-spy, or put it in /tmp/pyspy/bin)")
        return []
    out = []
    for label, pid in targets:
        path = LOG_DIR / f"profile-{label}.txt"
        p = subprocess.Popen([spy, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "200", "--idle",
                              "-f", "raw", "-o", str(path), "--nonblocking"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append((label, path, p))
    return out


GENERIC_FRAMES = ("eventlet/", "greenlet/", "threading.py", "nameko/containers.py", "contextlib.py")


def summarize_profile(path, top=14):
    """From py-spy's collapsed stacks (idle included): the share of samples in which the process
    sat in the eventlet hub waiting, and the frames most often on the stack when it did not, as
    % of those busy samples (inclusive: a frame counts once per sample, callees included)."""
    stacks = Counter()
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if stack:
            stacks[stack] += int(n)
    total = sum(stacks.values()) or 1
    idle = sum(n for s, n in stacks.items() if s.rsplit(";", 1)[-1].startswith("Hub.do_poll"))
    busy = total - idle or 1
    inclusive = Counter()
    for s, n in stacks.items():
        if s.rsplit(";", 1)[-1].startswith("Hub.do_poll"):
            continue
        # "function (file:line)" -> "function (file)": one entry per function, whatever the line
        for frame in {re.sub(r":\d+\)$", ")", f) for f in s.split(";")}:
            if not any(g in frame for g in GENERIC_FRAMES):
                inclusive[frame] += n
    lines = [f"    {100 * n / busy:5.1f}%  {frame[:140]}" for frame, n in inclusive.most_common(top)]
    return total, 100 * idle / total, lines


# --- the run ------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20, help="measured window per scenario")
    ap.add_argument("--requests", type=int, default=None, help="measure a fixed count instead of a window")
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--workers", type=int, default=None, help="REGISTRATION_MAX_WORKERS of the headline run "
                    "(default: unset, i.e. config.yaml's default)")
    ap.add_argument("--replicas", type=int, default=1, help="registration processes of the headline run")
    ap.add_argument("--variants", action="store_true", help="also: 50 registration workers; 2 registration processes")
    ap.add_argument("--probe", action="store_true", help="single-client timings of each layer")
    ap.add_argument("--probe-n", type=int, default=200)
    ap.add_argument("--profile", action="store_true", help="py-spy the gateway and registration during an extra run")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="first wait up to this long for the machine to be idle (a shared machine)")
    ap.add_argument("--skip-bare", action="store_true")
    ap.add_argument("--floor", action="store_true", help="also: HTTP + one RPC returning a constant, no work "
                    "(gateway_floor_service.py): the architecture's ceiling for any route")
    ap.add_argument("--decompose", action="store_true", help="also (with --floor: the whole ladder): the real "
                    "gateway and registration with report_member writing nothing (gateway_nodb_service.py)")
    args = ap.parse_args(argv)

    # SIGTERM should unwind through `finally` like Ctrl-C, so the services are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    city_shape = dict(districts=("410106", "410105"), streets=5, communities=8, units=5, members=2)
    ports = [GATEWAY_PORT, REGISTRATION_PORT, BARE_PORT] + [EXTRA_REGISTRATION_PORT + i for i in range(2)]
    in_use = [p for p in ports if not port_free(p)]
    if in_use:
        sys.exit(f"ports in use: {in_use}; is another benchmark running?")

    procs = []
    results = {}
    window = f"{args.requests} requests" if args.requests else f"{args.seconds:g} s"
    say(f"== gateway benchmark: {args.clients} clients, {window} per scenario after {args.warmup:g} s warm-up, "
        f"{os.cpu_count()} CPUs; logs in {LOG_DIR} ==")
    load_kw = dict(clients=args.clients, warmup=args.warmup, seconds=args.seconds, count=args.requests)

    def gateway_scenario(label, workers, replicas, profile=False, module="registration.service"):
        """Fresh schema and city, fresh processes, then the load; returns the Result."""
        counts, communities, units, taken = prepare_database(city_shape)
        reports = Reports(communities, units, taken)
        prepare_accounts(communities)
        gw, regs = start_platform(procs, workers, replicas, module)
        reports.auth = login_staff(communities)
        reg_ports = [port for _, port in regs]
        # one registration by hand first: a 4xx/5xx here is a setup problem, not a load problem
        method, url, body, auth = reports.next_request()
        first = requests.post(url, data=body, headers={**JSON_HEADERS, **auth}, timeout=30)
        if first.status_code != 201:
            raise RuntimeError(f"first registration answered {first.status_code}: {first.text[:500]}")
        profiles = []

        def window_mark():
            # at the window's start, py-spy (if asked) begins recording for the window's length
            if profile and not profiles:
                profiles.extend(start_profiles([("gateway", gw.pid)] + [(p.label, p.pid) for p, _ in regs],
                                               args.seconds))
            # the gateway sends member reports in coalesced calls (gateway.coalesce): report_members
            return entrypoint_totals([GATEWAY_PORT], "api"), entrypoint_totals(reg_ports, "report_members")

        res = run_load(label, reports.next_request, 201, meter=CpuMeter(procs, count_sessions=True),
                       window_mark=window_mark, **load_kw)
        (gw0, rg0), (gw1, rg1) = res.marks
        res.split = (mean_between(gw0, gw1), mean_between(rg0, rg1),
                     (gw1[1] - gw0[1]) / (rg1[1] - rg0[1]) if rg1[1] > rg0[1] else float("nan"))
        res.city = counts
        if module == "registration.service":  # the decomposition's service stores nothing
            stored = registrations_in_db()
            created = res.statuses.get(201, 0) + 1
            res.stored_ok = stored == created
            res.stored = (stored, created)
        for _, path, p in profiles:
            p.wait(60)
        res.profiles = [(label_, path) for label_, path, _ in profiles]
        res.probe = probe(reports, args.probe_n) if args.probe and label == "gateway" else None
        stop_all(procs)
        return res

    busy = machine_busy()
    give_up = time.monotonic() + args.wait_quiet
    while busy > 10 and time.monotonic() < give_up:
        busy = machine_busy(5)
    if busy > 10:
        say(f"!! the machine is already {busy:.0f}% busy before the benchmark starts: figures will be low "
            f"and noisy (see `top`)")
    try:
        say(f"setting up: vhost {VHOST}, database {DB_NAME}")
        prepare_broker()
        if not args.skip_bare:
            start_bare(procs)
            results["bare"] = run_load("bare", bare_request, 200, meter=CpuMeter(procs), **load_kw)
            stop_all(procs)
            say(f"  bare done: {results['bare'].line()}")
        if args.floor:
            floor_reports = start_floor(procs)
            results["floor"] = run_load("floor", floor_reports.next_request, 201, meter=CpuMeter(procs), **load_kw)
            stop_all(procs)
            say(f"  floor done: {results['floor'].line()}")
        if args.decompose:
            results["nodb"] = gateway_scenario("nodb", args.workers, args.replicas,
                                               module="gateway_nodb_service:RegistrationWithoutDatabase")
            say(f"  gateway + registration without database work done: {results['nodb'].line()}")
        results["gateway"] = gateway_scenario("gateway", args.workers, args.replicas)
        say(f"  gateway done: {results['gateway'].line()}")
        if args.variants:
            results["workers50"] = gateway_scenario("workers50", 50, 1)
            say(f"  50 workers done: {results['workers50'].line()}")
            results["replicas2"] = gateway_scenario("replicas2", args.workers, 2)
            say(f"  2 registration processes done: {results['replicas2'].line()}")
        if args.profile:
            results["profiled"] = gateway_scenario("profiled", args.workers, args.replicas, profile=True)
    finally:
        stop_all(procs)

    return report(results, args)


def report(results, args):
    say("")
    say("== results ==")
    failed = False
    gw = results["gateway"]
    bare = results.get("bare")
    if bare:
        say(f"bare nameko @http GET /const          : {bare.line()}")
        say(f"  {cpu_line(bare.cpu)}")
    floor = results.get("floor")
    if floor:
        say(f"floor: HTTP + 1 RPC, no work          : {floor.line()}")
        say(f"  {cpu_line(floor.cpu)}")
    nodb = results.get("nodb")
    if nodb:
        say(f"gateway + registration, no reg. DB   : {nodb.line()}")
        say(f"  {cpu_line(nodb.cpu)}")
    say(f"registration POST via gateway         : {gw.line()}")
    say(f"  {cpu_line(gw.cpu)}")
    say(f"  city: {gw.city['communities']} communities, {gw.city['units']} units; "
        f"registration workers {args.workers or '(config default)'}, processes {args.replicas}")
    say(f"  inside the processes (from /metrics): gateway api {gw.split[0]:.1f} ms per request, "
        f"registration report_members {gw.split[1]:.1f} ms per call, {gw.split[2]:.1f} requests per call")
    named = [("workers50", "REGISTRATION_MAX_WORKERS=50"), ("replicas2", "2 registration processes")]
    named += [("profiled", "under py-spy")]
    for key, name in named:
        if key in results:
            r = results[key]
            say(f"  variant {name:<28}: {r.line()}")
            say(f"    inside: gateway api {r.split[0]:.1f} ms per request, registration report_members "
                f"{r.split[1]:.1f} ms per call, {r.split[2]:.1f} requests per call")
            say(f"    {cpu_line(r.cpu)}")
    for r in results.values():
        if r.unexpected or r.n == 0:
            failed = True
            say(f"!! {r.label}: {r.unexpected} responses other than {r.expected} ({dict(r.statuses)})")
            for e in r.errors:
                say(f"   {e}")
        if r.stored and not r.stored_ok:
            failed = True
            say(f"!! {r.label}: {r.stored[0]} registrations stored, {r.stored[1]} answered 201")
    if bare:
        ratio = gw.rate / bare.rate if bare.rate else 0.0
        say(f"ratio registration / bare             : {100 * ratio:.1f} %")
        if floor:
            say(f"ratio floor / bare                    : {100 * floor.rate / bare.rate:.1f} %   "
                f"(one RPC per request; coalesced calls can beat it; registration / floor {100 * gw.rate / floor.rate:.1f} %)")
        if nodb:
            say(f"ratio no registration DB work / bare  : {100 * nodb.rate / bare.rate:.1f} %   "
                f"(the checks alone; registration / that {100 * gw.rate / nodb.rate:.1f} %)")
        say(f"goal: registration >= {100 * GOAL_RATIO:.0f}% of bare rate     : "
            f"{'PASS' if ratio >= GOAL_RATIO else 'FAIL'} ({100 * ratio:.1f} %)")
    p99 = gw.pct_ms(99)
    say(f"goal: registration p99 < {GOAL_P99_MS:.0f} ms         : {'PASS' if p99 < GOAL_P99_MS else 'FAIL'} ({p99:.1f} ms)")
    if gw.probe:
        say("")
        say(f"== one client, {args.probe_n} calls each (median / mean ms) ==")
        for name, (med, mean) in gw.probe:
            say(f"  {med:7.2f} / {mean:7.2f}   {name}")
    for r in results.values():
        for label, path in r.profiles:
            if path.exists():
                total, idle, lines = summarize_profile(path)
                say("")
                say(f"== py-spy {label}: {total} samples, {idle:.0f}% idle in the hub; frames on the stack "
                    f"(% of busy samples); {path} ==")
                for line in lines:
                    say(line)
    if failed:
        say("\nFAILED: not every request got the expected status (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
