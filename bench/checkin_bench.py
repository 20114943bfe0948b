"""Check-ins to a community's activities through the gateway, against a bare authenticated read.

    .venv/bin/python bench/checkin_bench.py                       # 50 clients, 20 s per scenario
    .venv/bin/python bench/checkin_bench.py --clients 20 --activities 120

Issue figure: "Check-ins at a festival campaign through the gateway at 50 concurrent clients:
check-ins/s and p99, against a bare authenticated read on the same machine."

What it does, in order:
  1. isolates itself: PostgreSQL database `bench_checkin` (schemas `registration`, `volunteering`
     and `gateway` dropped and migrated; a city of one community with 100 members, about 80 of
     them accepted), RabbitMQ vhost `sbd_bench_checkin` (recreated), ports 18580 (gateway),
     18581 (registration web) and 18582 (volunteering web); nothing of a running demo, of the
     tests or of another benchmark is touched;
  2. starts volunteering first, then registration (its relay publishes the loaded city's events,
     from which volunteering learns the active members), then the gateway, and waits until
     volunteering holds every accepted member as active;
  3. creates the community's staff account and one member account per client (each a different
     active member) and logs them all in;
  4. as the staff, announces --activities activities, started 10 minutes ago and ending in 3 hours:
     kind `festival` when a festival lies within 7 days of today, `regular` otherwise (the service
     refuses a festival activity further from its date; the run says which); every member signs
     up to every activity. All of this goes through the gateway, before any window;
  5. loads, one scenario after the other, each client with its own member's token:
       bare authenticated read  GET /api/v1/festivals/<this year>: token check and one RPC to
                                volunteering, which computes the dates (no database)
       check-in                 POST /api/v1/me/activities/{id}/check-in with the organizer's
                                current code: client i's k-th request checks in to activity k, so
                                every request is a first check-in and must be answered 200
     The organizer's codes are fetched (GET .../check-in-code as the staff) just before the
     check-in warm-up; a code is taken for at least 60 s, so warm-up plus window must stay under 45 s.

Besides req/s and percentiles it prints each process's CPU during the window and the mean time
spent inside the gateway's `api` worker and the volunteering entrypoint (from their /metrics). The
helpers (database, broker, processes, CPU accounting, the load generator, the Result) are
gateway_bench.py's, pointed at this bench's database, vhost, ports and logs. Every service
process is stopped in `finally`.

Exit status 1 if any request got another status than 200 (a 409 `already_checked_in` means a
client ran out of activities: raise --activities), or the database does not hold exactly as many
check-ins as were answered 200.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests

warnings.filterwarnings("ignore", category=DeprecationWarning)  # eventlet, imported via nameko

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway_bench as gb  # noqa: E402

HOST, ROOT, BIN = gb.HOST, gb.ROOT, gb.BIN
GATEWAY_PORT, REGISTRATION_PORT, VOLUNTEERING_PORT = 18580, 18581, 18582
DB_NAME = "bench_checkin"
VHOST = "sbd_bench_checkin"

# gateway_bench's helpers read these module constants when they run: pointed here, they prepare,
# start and measure this bench's database, vhost, ports and logs instead of gateway_bench's own
gb.DB_NAME = DB_NAME
gb.DB_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
gb.VHOST = VHOST
gb.AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
gb.GATEWAY_PORT, gb.REGISTRATION_PORT = GATEWAY_PORT, REGISTRATION_PORT
gb.LOG_DIR = Path(os.environ.get("CHECKIN_BENCH_LOGS", "/tmp/checkin_bench"))

# one community (410106001001): every member of the city is registered there, 80% of them accepted
CITY = dict(districts=("410106",), streets=1, communities=1, units=10, members=10, seed=2026, reported_share=1.0)
COMMUNITY = "410106001001"
API = f"http://{HOST}:{GATEWAY_PORT}/api/v1"
PASSWORD = "bench-checkin-2026"
STAFF = "staff.checkin"
say = gb.say


def env():
    """gateway_bench's environment plus volunteering's database and web address. Worker counts
    as in config.yaml, as deployed."""
    e = gb.service_env(VOLUNTEERING_DATABASE_URL=gb.DB_URL, VOLUNTEERING_WEB_ADDRESS=f"{HOST}:{VOLUNTEERING_PORT}")
    for name in ("GATEWAY_MAX_WORKERS", "REGISTRATION_MAX_WORKERS", "VOLUNTEERING_MAX_WORKERS"):
        e.pop(name, None)
    return e


def sql(query, **params):
    from sqlalchemy import text
    from toolkit.db import make_engine
    engine = make_engine(gb.DB_URL, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        result = conn.execute(text(query), params)
        rows = result.all() if result.returns_rows else []
    engine.dispose()
    return rows


def prepare():
    """The city (gateway_bench's loader: registration schema and outbox), then fresh volunteering
    and gateway schemas. Returns the city's counts and the accepted members of the community."""
    counts = gb.prepare_database(CITY)[0]
    sql("DROP SCHEMA IF EXISTS volunteering CASCADE; DROP SCHEMA IF EXISTS gateway CASCADE")
    subprocess.run([str(BIN / "python"), "-m", "toolkit.migrate", "services/volunteering", "gateway"], cwd=ROOT,
                   env=env(), check=True, capture_output=True)
    accepted = [r[0] for r in sql("SELECT member_id FROM registration.member_registrations WHERE status = 'accepted' "
                                  "AND community_code = :c ORDER BY member_id", c=COMMUNITY)]
    return counts, accepted


def create_accounts(member_ids):
    from gateway.accounts import create_account
    from toolkit.db import make_engine
    engine = make_engine(gb.DB_URL, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        create_account(conn, STAFF, "压测社区 党群服务中心", "community_staff", COMMUNITY, PASSWORD,
                       created_by="checkin_bench")
        for mid in member_ids:
            create_account(conn, f"member{mid}", f"压测党员 {mid}", "member", str(mid), PASSWORD,
                           created_by="checkin_bench")
    engine.dispose()


def start(procs, accepted):
    """Volunteering first (its queues must exist before the registration relay publishes the
    city's events), registration, the gateway; then wait until every accepted member is active."""
    vol = gb.nameko("volunteering", "volunteering.service", ROOT / "services" / "volunteering", "config.yaml", env())
    procs.append(vol)
    gb.wait_healthy(f"http://{HOST}:{VOLUNTEERING_PORT}/health", [vol])
    reg = gb.nameko("registration", "registration.service", ROOT / "services" / "registration", "config.yaml", env())
    procs.append(reg)
    gb.wait_healthy(f"http://{HOST}:{REGISTRATION_PORT}/health", [vol, reg])
    gw = gb.nameko("gateway", "gateway.service", ROOT / "gateway", "config.yaml", env())
    procs.append(gw)
    gb.wait_healthy(f"http://{HOST}:{GATEWAY_PORT}/health", [vol, reg, gw])
    deadline = time.monotonic() + 90
    while True:
        active = sql("SELECT count(*) FROM volunteering.members WHERE active AND community_code = :c",
                     c=COMMUNITY)[0][0]
        if active >= len(accepted):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"volunteering knows {active} active members of {len(accepted)} accepted after 90 s; "
                               f"see {gb.LOG_DIR}")
        time.sleep(0.5)


_local = threading.local()


def call(method, path, token, body=None, expect=200):
    """One request through the gateway (a keep-alive session per thread); the JSON answer."""
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    r = _local.session.request(method, API + path, json=body, headers={"Authorization": f"Bearer {token}"} if token else {},
                        timeout=30)
    if r.status_code != expect:
        raise RuntimeError(f"{method} {path} answered {r.status_code}: {r.text[:500]}")
    return r.json()


def parallel(fn, items, workers=20):
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def log_in(username):
    return call("POST", "/auth/login", None, {"username": username, "password": PASSWORD})["access_token"]


def activity_kind():
    """("festival", key) if a festival lies within 7 days of today (the service's rule), else
    ("regular", None)."""
    from toolkit.config import today
    from volunteering.domain import festival_dates
    for year in (today().year - 1, today().year, today().year + 1):
        for key, (_, day) in festival_dates(year).items():
            if abs((day - today()).days) <= 7:
                return "festival", key
    return "regular", None


def announce(staff_token, n):
    from toolkit.config import now
    kind, festival = activity_kind()
    at = now()
    body = {"kind": kind, "festival": festival, "content": "为社区老人理发、量血压、打扫卫生",
            "place": "社区党群服务中心", "contact": "0371-60000000", "capacity": 2000,
            "starts_at": (at - timedelta(minutes=10)).isoformat(), "ends_at": (at + timedelta(hours=3)).isoformat()}
    ids = parallel(lambda k: call("POST", f"/communities/{COMMUNITY}/activities", staff_token,
                                  {**body, "title": f"集中服务活动 {k + 1}"}, expect=201)["activity_id"], range(n))
    return ids, kind, festival


def sign_up_all(tokens, activities, workers):
    """Every member to every activity; member i starts at activity i, so that the requests in
    flight at any moment are for different activities (a sign-up locks its activity)."""
    n = len(activities)
    pairs = [(tok, activities[(i + k) % n]) for k in range(n) for i, tok in enumerate(tokens)]
    parallel(lambda p: call("POST", "/me/activity-signups", p[0], {"activity_id": p[1]}, expect=201), pairs, workers)
    return len(pairs)


def checked_in_in_db():
    return sql("SELECT count(*) FROM volunteering.signups WHERE checked_in_at IS NOT NULL")[0][0]


PROCS = []  # the service processes of this run, for the CPU meter and for `finally`


def run_clients(label, request_of, entrypoint, clients, warmup, seconds):
    """gateway_bench.run_load, each client sending its own requests (its member's token); CPU and
    the /metrics of the gateway and of volunteering are read at both ends of the window."""
    return gb.run_load(label, request_of, 200, clients, warmup, seconds, per_client=True,
                       meter=gb.CpuMeter(PROCS, count_sessions=True),
                       window_mark=lambda: (gb.entrypoint_totals([GATEWAY_PORT], "api"),
                                            gb.entrypoint_totals([VOLUNTEERING_PORT], entrypoint)))


def main(argv=None):
    from toolkit.config import today
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20, help="measured window per scenario")
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--activities", type=int, default=300,
                    help="activities each member is signed up to: the most check-ins one client can make")
    args = ap.parse_args(argv)
    if args.warmup + args.seconds > 45:
        sys.exit("warm-up + window must stay under 45 s: the organizer's codes are fetched once, before them")

    # SIGTERM should unwind through `finally` like Ctrl-C, so the services are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    in_use = [p for p in (GATEWAY_PORT, REGISTRATION_PORT, VOLUNTEERING_PORT) if not gb.port_free(p)]
    if in_use:
        sys.exit(f"ports in use: {in_use}; is another check-in benchmark running?")
    say(f"== check-in benchmark: {args.clients} clients, {args.seconds:g} s per scenario after {args.warmup:g} s "
        f"warm-up, {os.cpu_count()} CPUs; logs in {gb.LOG_DIR} ==")
    busy = gb.machine_busy()
    if busy > 10:
        say(f"!! the machine is already {busy:.0f}% busy before the benchmark starts: figures will be low "
            f"and noisy (see `top`)")

    load = dict(clients=args.clients, warmup=args.warmup, seconds=args.seconds)
    results = {}
    try:
        say(f"setting up: vhost {VHOST}, database {DB_NAME}")
        gb.prepare_broker()
        counts, accepted = prepare()
        if len(accepted) < args.clients:
            raise RuntimeError(f"only {len(accepted)} accepted members in {COMMUNITY}, {args.clients} clients")
        members = accepted[:args.clients]
        create_accounts(members)
        start(PROCS, accepted)
        staff = log_in(STAFF)
        tokens = parallel(log_in, [f"member{mid}" for mid in members], workers=4)
        activities, kind, festival = announce(staff, args.activities)
        t0 = time.perf_counter()
        signups = sign_up_all(tokens, activities, args.clients)
        say(f"  {len(accepted)} active members; {len(activities)} activities ({kind}{' ' + festival if festival else ''}); "
            f"{signups} sign-ups in {time.perf_counter() - t0:.0f} s")

        year = today().year
        read_url = f"{API}/festivals/{year}"
        call("GET", f"/festivals/{year}", tokens[0])  # by hand first: a refusal here is a setup problem
        results["read"] = run_clients(f"GET /festivals/{year}", lambda i: ("GET", read_url, None, auth(tokens[i])),
                                      "festivals", **load)
        say(f"  read done: {results['read'].line()}")

        codes = dict(zip(activities, parallel(
            lambda a: call("GET", f"/communities/{COMMUNITY}/activities/{a}/check-in-code", staff)["code"], activities)))
        done = [0] * args.clients  # client i's check-ins so far: only client i's thread touches done[i]
        ran_out = set()

        def check_in(i):
            k = done[i]
            done[i] += 1
            if k >= len(activities):  # the last activity again: a 409, counted as an error
                ran_out.add(i)
                k = len(activities) - 1
            a = activities[k]
            return ("POST", f"{API}/me/activities/{a}/check-in", json.dumps({"code": codes[a]}).encode(),
                    auth(tokens[i]))

        results["check-in"] = run_clients("check-in", check_in, "check_in", **load)
        results["check-in"].stored = (checked_in_in_db(), results["check-in"].statuses.get(200, 0))
        results["check-in"].ran_out = ran_out
        results["check-in"].most = (max(done), len(activities))
        say(f"  check-in done: {results['check-in'].line()}")
    finally:
        gb.stop_all(PROCS)
    return report(results, counts, kind, festival)


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def report(results, counts, kind, festival):
    say("")
    say(f"== results ({counts['members']} members loaded in one community; activities of kind {kind}"
        f"{' (' + festival + ')' if festival else ', no festival within 7 days of today'}) ==")
    entry = {"read": "festivals", "check-in": "check_in"}
    for key, r in results.items():
        (gw0, v0), (gw1, v1) = r.marks
        say(f"{r.label:<22}: {r.line()}")
        say(f"  inside (mean per request, from /metrics): gateway api {gb.mean_between(gw0, gw1):.1f} ms, "
            f"volunteering {entry[key]} {gb.mean_between(v0, v1):.1f} ms")
        say(f"  {gb.cpu_line(r.cpu)}")
    read, checkin = results["read"], results["check-in"]
    ratio = checkin.rate / read.rate if read.rate else 0.0
    say(f"ratio check-in / authenticated read: {100 * ratio:.1f} % of the req/s; p99 "
        f"{checkin.pct_ms(99):.1f} ms against {read.pct_ms(99):.1f} ms")
    failed = False
    for r in results.values():
        if r.unexpected or r.n == 0:
            failed = True
            say(f"!! {r.label}: {r.unexpected} responses other than {r.expected} ({dict(r.statuses)})")
            for e in r.errors:
                say(f"   {e}")
    say(f"most check-ins by one client (warm-up included): {checkin.most[0]} of {checkin.most[1]} activities")
    if checkin.ran_out:
        say(f"!! {len(checkin.ran_out)} clients ran out of activities: raise --activities")
    stored, answered = checkin.stored
    if stored != answered:
        failed = True
        say(f"!! {stored} check-ins in the database, {answered} answered 200")
    if failed:
        say("\nFAILED: not every request got the expected status (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
