"""The console's figure (issue 16): the community staff's roster of a 5,000-member community.

    .venv/bin/python bench/console_bench.py                 # 5,000 members, 20 loads
    .venv/bin/python bench/console_bench.py --members 500   # a quick look

The page `#/staff/members` is loaded --loads times in headless Chromium (Debian's), each time in a
fresh browser context (nothing cached: the HTML, the CSS, every module and the API answer come
over the wire), signed in as the community's staff (the session put in sessionStorage as the login
page leaves it). Timed from the navigation's start (the page's own clock, performance.now()) to the
list being usable: the first page of rows shown, the count of members written and the search box
enabled (a MutationObserver notes the moment). Bytes: every response's transferSize (headers and
compressed bodies, as Chromium counts them).

Baseline, in the same browser and the same run, one after each page load: the same data fetched
as JSON (`GET /communities/{c}/roster`, fetch + response.json()) from a fresh context on the
same origin, timed in the page. Goal: p95 of the page under 1 s.

It isolates itself: database `bench_console` (registration and gateway schemas rebuilt), vhost
`sbd_bench_console`, ports 18870-18871, logs in /tmp/console_bench.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")
DB_NAME = "bench_console"
DB_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
VHOST = "sbd_bench_console"
AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
WORK = Path("/tmp/console_bench")
os.environ["GATEWAY_BENCH_LOGS"] = str(WORK / "logs")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))   # tests.browser: the suite's chromium flags

import gateway_bench as gb  # noqa: E402

ROOT, HOST = gb.ROOT, gb.HOST
GATEWAY_PORT, REGISTRATION_PORT = 18870, 18871
COMMUNITY = "410105001001"
PASSWORD = "Bench-console-2026"
GOAL_P95 = 1.0
say = gb.say

# set before any of the page's scripts: the moment the list is usable, on the page's own clock
WATCH = """
window.__usable = null;
new MutationObserver((changes, observer) => {
  const search = document.querySelector("input[name=q]");
  if (document.querySelector("#roster tbody tr") && search && !search.disabled) {
    window.__usable = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true, attributes: true });
"""
BYTES = """() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
                 .reduce((sum, e) => sum + e.transferSize, 0)"""


def env(**extra):
    e = dict(os.environ)
    e.update(AMQP_URI=AMQP_URI, DATABASE_URL=DB_URL, REGISTRATION_DATABASE_URL=DB_URL, GATEWAY_DATABASE_URL=DB_URL,
             GATEWAY_JWT_SECRET="bench-console-jwt-secret-0123456789abcdef", GATEWAY_ADDRESS=f"{HOST}:{GATEWAY_PORT}",
             REGISTRATION_WEB_ADDRESS=f"{HOST}:{REGISTRATION_PORT}", RPC_CONTEXT_SECRET="bench-console-secret-0123456789",
             PYTHONWARNINGS="ignore", PYTHONUNBUFFERED="1", OUTBOX_RELAY="off")
    e.update({k: str(v) for k, v in extra.items()})
    return e


def sql(statement, params=None):
    import psycopg2
    conn = psycopg2.connect(dbname=DB_NAME, host="127.0.0.1", user="root")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def prepare(members):
    """A fresh database and vhost; one community whose `members` members all reported this year
    (four in five accepted), from 100 units; its staff account."""
    import psycopg2
    from registration import city as citygen
    from toolkit.db import make_engine
    from gateway.accounts import create_account
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)
    for cmd in (["add_vhost", VHOST], ["set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"]):
        subprocess.run(["rabbitmqctl", "-q", *cmd], check=True, capture_output=True)
    admin = psycopg2.connect(gb.ADMIN_DSN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    admin.close()
    for schema, path in (("registration", "services/registration"), ("gateway", "gateway")):
        sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        subprocess.run([str(gb.BIN / "python"), "-m", "toolkit.migrate", path], cwd=ROOT, env=env(),
                       check=True, capture_output=True)
    units = 100
    engine = make_engine(DB_URL, pool_size=1, max_overflow=0)
    city = citygen.generate(districts=("410105",), streets=1, communities=1, units=units,
                            members=max(1, members // units), year=time.localtime().tm_year, reported_share=1.0)
    citygen.load(engine, city, year=time.localtime().tm_year)
    with engine.begin() as conn:
        create_account(conn, "bench.staff", "和平社区党群服务中心", "community_staff", COMMUNITY, PASSWORD,
                       created_by="console_bench")
    engine.dispose()
    sql("DELETE FROM registration.outbox")   # the city's events: no subscriber here
    sql("ANALYZE")
    return sql("SELECT count(*) FROM registration.member_registrations WHERE community_code = %s", (COMMUNITY,))[0][0]


def start():
    procs = [gb.nameko("registration", "registration.service", ROOT / "services" / "registration", "config.yaml",
                       env(REGISTRATION_MAX_WORKERS=8))]
    gb.wait_healthy(f"http://{HOST}:{REGISTRATION_PORT}/health", procs)
    procs.append(gb.nameko("gateway", "gateway.service", ROOT / "gateway", "config.yaml", env()))
    gb.wait_healthy(f"http://{HOST}:{GATEWAY_PORT}/health", procs)
    return procs


def session():
    import requests
    base = f"http://{HOST}:{GATEWAY_PORT}/api/v1"
    tokens = requests.post(f"{base}/auth/login", json={"username": "bench.staff", "password": PASSWORD}, timeout=30).json()
    me = requests.get(f"{base}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=30).json()
    return {"access": tokens["access_token"], "refresh": tokens["refresh_token"], "me": me}


def measure(loads, expected):
    from playwright.sync_api import sync_playwright
    from tests.browser import ARGS, CHROMIUM
    origin = f"http://{HOST}:{GATEWAY_PORT}"
    signed = session()
    put_session = f"sessionStorage.setItem('sbd.session', {json.dumps(json.dumps(signed))});"
    page_times, page_bytes, json_times, json_bytes = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        fetch_js = """async ([path, token]) => {
            const started = performance.now();
            const r = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
            const data = await r.json();
            const took = performance.now() - started;
            await new Promise((done) => setTimeout(done, 50));   // its resource entry written
            const entry = performance.getEntriesByType("resource").find((e) => e.name.endsWith(path));
            return [took, entry ? entry.transferSize : null, data.rows.length];
        }"""
        for i in range(loads + 1):   # the first of each is a warm-up, not counted
            context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
            context.add_init_script(put_session + WATCH)
            page = context.new_page()
            page.goto(f"{origin}/console/#/staff/members")
            page.wait_for_function("window.__usable !== null", timeout=60000)
            usable = page.evaluate("window.__usable") / 1000
            shown = page.inner_text("main")
            assert f"共 {expected} 人报到" in shown, shown[:300]
            assert page.locator("#roster tbody tr").count() == min(50, expected)
            transferred = page.evaluate(BYTES)
            context.close()

            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{origin}/health")
            took, size, count = page.evaluate(fetch_js, [f"/api/v1/communities/{COMMUNITY}/roster", signed["access"]])
            assert count == expected
            context.close()
            if i:
                page_times.append(usable)
                page_bytes.append(transferred)
                json_times.append(took / 1000)
                json_bytes.append(size)
        browser.close()
    return page_times, page_bytes, json_times, json_bytes


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    say(f"preparing a community of {args.members} members in {DB_NAME} ...")
    expected = prepare(args.members)
    procs = []
    try:
        procs = start()
        say(f"loading #/staff/members {args.loads} times (plus one warm-up), each in a fresh context ...")
        page_times, page_bytes, json_times, json_bytes = measure(args.loads, expected)
    finally:
        gb.stop_all(procs)
    say(f"\nroster of {expected} members, {args.loads} loads each (p50 / p95 / max):")
    say(f"  console page, to usable : {statistics.median(page_times):.3f} / {pct(page_times, .95):.3f} / "
        f"{max(page_times):.3f} s   {statistics.median(page_bytes) / 1024:.0f} KiB transferred")
    say(f"  baseline, JSON by fetch : {statistics.median(json_times):.3f} / {pct(json_times, .95):.3f} / "
        f"{max(json_times):.3f} s   {statistics.median(json_bytes) / 1024:.0f} KiB transferred")
    ratio = statistics.median(page_times) / statistics.median(json_times)
    p95 = pct(page_times, .95)
    say(f"  page / baseline (p50)   : {ratio:.2f}x")
    say(f"  goal p95 < {GOAL_P95:.1f} s: {'PASS' if p95 < GOAL_P95 else 'FAIL'} ({p95:.3f} s)")
    return 0 if p95 < GOAL_P95 else 1


if __name__ == "__main__":
    sys.exit(main())
