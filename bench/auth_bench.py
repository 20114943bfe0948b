"""Login and a token-checked read through the gateway, against the same read without the check.

    .venv/bin/python bench/auth_bench.py                      # 20 clients, 15 s per scenario
    .venv/bin/python bench/auth_bench.py --clients 10 --seconds 30

Issue figure: "Login and a token-checked read at 20 concurrent clients: requests/s and p99,
against the same read without authentication in the same run."

What it does, in order:
  1. isolates itself: PostgreSQL database `bench_auth` (schemas `registration` and `gateway`
     dropped and migrated, a synthetic city loaded, one account per client), RabbitMQ vhost
     `sbd_bench_auth` (recreated), ports 18480 (gateway), 18481 (registration web) and 18482
     (gateway without the token check); nothing of a running demo, of the tests or of
     gateway_bench.py is touched;
  2. runs registration, the gateway and bench/gateway_noauth_service.py (the same gateway with
     GET /api/v1/districts/{code}/streets made public; its docstring says what exactly is left
     out) as real `nameko run` processes, all three for the whole run;
  3. loads, one scenario after the other:
       read, no authentication  GET .../streets on the no-auth gateway, no Authorization header
       read, token-checked      the same GET on the gateway, each client with its own access token
       login                    POST /api/v1/auth/login, each client with its own account
                                (argon2id: CPU-heavy by design)

Besides req/s and percentiles it prints each process's CPU during the window and the mean time
spent inside the gateway's `api` worker (from its /metrics). The helpers (database, broker,
processes, CPU accounting, the Result) are gateway_bench.py's, pointed at this bench's database,
vhost and ports. Every service process is stopped in `finally`.

Exit status 1 if any request got another status than expected (200 for all three).
"""
import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import requests

warnings.filterwarnings("ignore", category=DeprecationWarning)  # eventlet, imported via nameko

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway_bench as gb  # noqa: E402

HOST, ROOT, BENCH, BIN = gb.HOST, gb.ROOT, gb.BENCH, gb.BIN
GATEWAY_PORT, REGISTRATION_PORT, NOAUTH_PORT = 18480, 18481, 18482
DB_NAME = "bench_auth"
VHOST = "sbd_bench_auth"

# gateway_bench's helpers read these module constants when they run: pointed here, they prepare,
# start and measure this bench's database, vhost, ports and logs instead of gateway_bench's own
gb.DB_NAME = DB_NAME
gb.DB_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
gb.VHOST = VHOST
gb.AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
gb.GATEWAY_PORT, gb.REGISTRATION_PORT = GATEWAY_PORT, REGISTRATION_PORT
gb.LOG_DIR = Path(os.environ.get("AUTH_BENCH_LOGS", "/tmp/auth_bench"))

CITY = dict(districts=("410106", "410105"), streets=5, communities=8, units=5, members=2)
DISTRICT = CITY["districts"][0]
READ_PATH = f"/api/v1/districts/{DISTRICT}/streets"
LOGIN_PATH = "/api/v1/auth/login"
PASSWORD = "bench-auth-2024"
JWT_SECRET = secrets.token_hex(32)
say = gb.say


def username(i):
    return f"bench{i:03d}"


def prepare(clients):
    """The city (gateway_bench's loader), then a fresh gateway schema with one city administrator
    per client: each client logs in as itself, and the role is the one the no-auth gateway puts
    in the RPC context, so the read is masked and audited alike on both gateways."""
    from sqlalchemy import text
    from gateway.accounts import create_account
    from toolkit.db import make_engine

    counts = gb.prepare_database(CITY)[0]
    engine = make_engine(gb.DB_URL, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS gateway CASCADE"))
    subprocess.run([str(BIN / "python"), "-m", "toolkit.migrate", "gateway"], cwd=ROOT, env=env(),
                   check=True, capture_output=True)
    with engine.begin() as conn:
        for i in range(clients):
            create_account(conn, username(i), f"压测账号 {i}", "city_admin", "", PASSWORD, created_by="auth_bench")
        streets = conn.execute(text("SELECT count(*) FROM registration.streets WHERE district_code = :d"),
                               {"d": DISTRICT}).scalar()
    engine.dispose()
    return counts, streets


def env(**extra):
    """gateway_bench's environment plus the gateway's own: its database (the same one; schema
    `gateway`) and a JWT secret of this run. Worker counts as in config.yaml, as deployed."""
    e = gb.service_env(GATEWAY_DATABASE_URL=gb.DB_URL, GATEWAY_JWT_SECRET=JWT_SECRET, **extra)
    for name in ("GATEWAY_MAX_WORKERS", "REGISTRATION_MAX_WORKERS"):
        e.pop(name, None)
    return e


def start(procs):
    reg = gb.nameko("registration", "registration.service", ROOT / "services" / "registration", "config.yaml", env())
    procs.append(reg)
    gb.wait_healthy(f"http://{HOST}:{REGISTRATION_PORT}/health", [reg])
    gw = gb.nameko("gateway", "gateway.service", ROOT / "gateway", "config.yaml", env())
    noauth = gb.nameko("gateway_noauth", "gateway_noauth_service", BENCH, ROOT / "gateway" / "config.yaml",
                       env(GATEWAY_ADDRESS=f"{HOST}:{NOAUTH_PORT}"))
    procs.extend([gw, noauth])
    gb.wait_healthy(f"http://{HOST}:{GATEWAY_PORT}/health", [reg, gw])
    gb.wait_healthy(f"http://{HOST}:{NOAUTH_PORT}/health", [reg, noauth])


def login_body(i):
    return json.dumps({"username": username(i), "password": PASSWORD}).encode()


def log_in(i):
    r = requests.post(f"http://{HOST}:{GATEWAY_PORT}{LOGIN_PATH}", data=login_body(i),
                      headers=gb.JSON_HEADERS, timeout=30)
    if r.status_code != 200:
        raise RuntimeError(f"login of {username(i)} answered {r.status_code}: {r.text[:500]}")
    return r.json()["access_token"]


def run_clients(label, request_of, expected, clients, warmup, seconds, port):
    """gateway_bench.run_load with each client sending a request of its own (its account, its
    token): `request_of(i)` is client i's (method, url, body, headers). All three scenarios go
    through here, so they share one load generator; CPU and the gateway's /metrics are read at
    both ends of the window."""
    return gb.run_load(label, request_of, expected, clients, warmup, seconds, per_client=True,
                       meter=gb.CpuMeter(PROCS, count_sessions=True),
                       window_mark=lambda: gb.entrypoint_totals([port], "api"))


PROCS = []  # the service processes of this run, for the CPU meter and for `finally`


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=15, help="measured window per scenario")
    ap.add_argument("--warmup", type=float, default=3)
    args = ap.parse_args(argv)

    # SIGTERM should unwind through `finally` like Ctrl-C, so the services are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    in_use = [p for p in (GATEWAY_PORT, REGISTRATION_PORT, NOAUTH_PORT) if not gb.port_free(p)]
    if in_use:
        sys.exit(f"ports in use: {in_use}; is another auth benchmark running?")
    say(f"== auth benchmark: {args.clients} clients, {args.seconds:g} s per scenario after {args.warmup:g} s "
        f"warm-up, {os.cpu_count()} CPUs; logs in {gb.LOG_DIR} ==")
    busy = gb.machine_busy()
    if busy > 10:
        say(f"!! the machine is already {busy:.0f}% busy before the benchmark starts: figures will be low "
            f"and noisy (see `top`)")

    load = dict(clients=args.clients, warmup=args.warmup, seconds=args.seconds)
    results = {}
    try:
        say(f"setting up: vhost {VHOST}, database {DB_NAME}, {args.clients} accounts")
        gb.prepare_broker()
        counts, streets = prepare(args.clients)
        start(PROCS)
        tokens = [log_in(i) for i in range(args.clients)]  # before the window: reads only, there
        noauth_url, gw_url = f"http://{HOST}:{NOAUTH_PORT}{READ_PATH}", f"http://{HOST}:{GATEWAY_PORT}{READ_PATH}"
        # one read of each by hand first: a refusal here is a setup problem, not a load problem
        for url, headers in ((noauth_url, None), (gw_url, {"Authorization": f"Bearer {tokens[0]}"})):
            r = requests.get(url, headers=headers, timeout=30)
            if r.status_code != 200 or r.json()["total"] != streets:
                raise RuntimeError(f"GET {url} answered {r.status_code}: {r.text[:500]}")

        scenarios = [
            ("read, no authentication", NOAUTH_PORT, lambda i: ("GET", noauth_url, None, None)),
            ("read, token-checked", GATEWAY_PORT,
             lambda i: ("GET", gw_url, None, {"Authorization": f"Bearer {tokens[i]}"})),
            ("login", GATEWAY_PORT, lambda i: ("POST", f"http://{HOST}:{GATEWAY_PORT}{LOGIN_PATH}", login_body(i),
                                               gb.JSON_HEADERS)),
        ]
        for label, port, request_of in scenarios:
            results[label] = run_clients(label, request_of, 200, port=port, **load)
            say(f"  {label} done: {results[label].line()}")
    finally:
        gb.stop_all(PROCS)
    return report(results, counts, streets)


def report(results, counts, streets):
    say("")
    say(f"== results ({counts['communities']} communities loaded; the read lists {streets} streets) ==")
    for r in results.values():
        inside = gb.mean_between(*r.marks)
        say(f"{r.label:<24}: {r.line()}")
        say(f"  inside the gateway's api worker: {inside:.1f} ms per request (mean, from /metrics)")
        say(f"  {gb.cpu_line(r.cpu)}")
    noauth, checked = results["read, no authentication"], results["read, token-checked"]
    ratio = checked.rate / noauth.rate if noauth.rate else 0.0
    say(f"ratio token-checked / no authentication: {100 * ratio:.1f} % of the req/s; p99 "
        f"{checked.pct_ms(99):.1f} ms against {noauth.pct_ms(99):.1f} ms")
    failed = False
    for r in results.values():
        if r.unexpected or r.n == 0:
            failed = True
            say(f"!! {r.label}: {r.unexpected} responses other than {r.expected} ({dict(r.statuses)})")
            for e in r.errors:
                say(f"   {e}")
    if failed:
        say("\nFAILED: not every request got the expected status (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
