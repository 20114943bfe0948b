"""The documents service's figures (issue 15), each with its baseline from the same run.

    .venv/bin/python bench/documents_bench.py                    # both figures
    .venv/bin/python bench/documents_bench.py --only b1          # 1,000 certificates B.1
    .venv/bin/python bench/documents_bench.py --only d1 --members 3000   # a quick look at the registers

1. B.1: the certificates of one community (1,000 members) as one PDF through the service: the job
   started over RPC as the community's staff, its data fetched from registration over RPC, rendered
   (Typst, chunks of 100 while the next chunk's QR codes are made), merged and stored; timed from
   the RPC that starts the job to the job's `done` (and, beside it, the job's own created_at ->
   finished_at). Baseline: the same engine (documents.render.compile_pdf) rendering the same 1,000
   pages in one compile from data already in memory (the pages with their QR codes made
   beforehand), best of 3. Goal: at most 1.3x.
2. D.1: the registers of every member of a district (--members, 30,000 by default, in 100
   communities) for one half year, as a job of the district's organization department (a part per
   community), with 1 and 2 documents processes: documents/s, and the CPU each process group used
   (and the machine's share). Baseline: the same registers rendered in this process from data in
   memory (one compile per chunk of 100, one core), documents/s.

It isolates itself: database `bench_documents` (schemas registration, scoring, volunteering and
documents dropped and migrated), vhost `sbd_bench_documents`, ports 18880.., logs and files in
/tmp/documents_bench. The city is registration.city's synthetic one (COPY), every report accepted;
scoring's accounts and 4 service lines per member are written by SQL.
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
DB_NAME = "bench_documents"
DB_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
VHOST = "sbd_bench_documents"
AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
WORK = Path("/tmp/documents_bench")
os.environ["GATEWAY_BENCH_LOGS"] = str(WORK / "logs")
os.environ.setdefault("RPC_CONTEXT_SECRET", "bench-documents-secret-0123456789")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gateway_bench as gb  # noqa: E402

ROOT, HOST, FIRST_PORT = gb.ROOT, gb.HOST, 18880
PERIOD, YEAR = "2026H1", 2026
GOAL = 1.3
say = gb.say


def env(**extra):
    e = dict(os.environ)
    e.update(AMQP_URI=AMQP_URI, DATABASE_URL=DB_URL, PYTHONWARNINGS="ignore", PYTHONUNBUFFERED="1",
             DOCUMENTS_FILES_DIR=str(WORK / "files"), PUBLIC_BASE_URL="http://127.0.0.1:8000", OUTBOX_RELAY="on")
    for service in ("REGISTRATION", "SCORING", "VOLUNTEERING", "DOCUMENTS"):
        e[f"{service}_DATABASE_URL"] = DB_URL
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


def prepare(shape, per_community=None):
    """A fresh database and vhost, the four schemas migrated, the city loaded, every report
    accepted, scoring's accounts and lines for the half year."""
    import psycopg2
    from registration import city as citygen
    from toolkit.db import make_engine
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
    for schema in ("registration", "scoring", "volunteering", "documents"):
        sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        subprocess.run([str(gb.BIN / "python"), "-m", "toolkit.migrate", f"services/{schema}"], cwd=ROOT, env=env(),
                       check=True, capture_output=True)
    engine = make_engine(DB_URL, pool_size=1, max_overflow=0)
    citygen.load(engine, citygen.generate(**shape, year=YEAR, reported_share=1.0), year=YEAR)
    engine.dispose()
    sql("UPDATE registration.member_registrations SET status = 'accepted', unit_decision = 'approve', "
        "unit_officer = '王书记', unit_opinion_date = '2026-03-03', accepted_by = '李娜', "
        "accepted_by_phone = '0371-68901234', accepted_at = '2026-03-05 10:00+08' WHERE year = %s", (YEAR,))
    if per_community:  # every community the same size: its first `per_community` reports
        sql("""DELETE FROM registration.member_registrations r USING (
                   SELECT id, row_number() OVER (PARTITION BY community_code ORDER BY id) AS n
                   FROM registration.member_registrations) ranked
               WHERE ranked.id = r.id AND ranked.n > %s""", (per_community,))
    sql("DELETE FROM registration.outbox")  # the city's events: no subscriber here
    sql("""INSERT INTO scoring.accounts (holder_kind, holder_id, account_no, name, unit_id, district_code, street_code,
                                         community_code)
           SELECT 'member', r.member_id, 'RA-M-' || lpad(r.member_id::text, 8, '0'), r.name, r.unit_id, r.district_code,
                  r.street_code, r.community_code FROM registration.member_registrations r WHERE r.year = %s""", (YEAR,))
    sql("""INSERT INTO scoring.ledger (holder_kind, holder_id, member_unit_id, district_code, street_code, community_code,
                                       period, kind, points, reason, source, rule_version, occurred_at)
           SELECT 'member', a.holder_id, a.unit_id, a.district_code, a.street_code, a.community_code, %s, 'service',
                  5 + (n %% 3), (ARRAY['社区义诊', '政策宣传', '助老服务', '环境整治'])[n] || '（第' || n || '次）',
                  'bench', 1, timestamptz '2026-02-01 09:00+08' + n * interval '20 days'
           FROM scoring.accounts a CROSS JOIN generate_series(1, 4) n WHERE a.holder_kind = 'member'""", (PERIOD,))
    sql("ANALYZE")


def start(n_documents):
    procs = []
    services = [("registration", FIRST_PORT), ("scoring", FIRST_PORT + 1), ("volunteering", FIRST_PORT + 2)]
    for name, port in services:
        procs.append(gb.nameko(name, f"{name}.service", ROOT / "services" / name, "config.yaml",
                               env(**{f"{name.upper()}_WEB_ADDRESS": f"{HOST}:{port}", f"{name.upper()}_MAX_WORKERS": 8})))
    for i in range(n_documents):
        procs.append(gb.nameko(f"documents{i + 1}", "documents.service", ROOT / "services" / "documents", "config.yaml",
                               env(DOCUMENTS_WEB_ADDRESS=f"{HOST}:{FIRST_PORT + 3 + i}", DOCUMENTS_MAX_WORKERS=4)))
    for port in [p for _, p in services] + [FIRST_PORT + 3 + i for i in range(n_documents)]:
        gb.wait_healthy(f"http://{HOST}:{port}/health", procs)
    time.sleep(1.0)  # every consumer attached
    return procs


def proxy(role, scope):
    from nameko.standalone.rpc import ClusterRpcProxy
    from contracts.access import Caller
    from toolkit.caller import SignedAtEachCall
    return ClusterRpcProxy({"AMQP_URI": AMQP_URI}, context_data=SignedAtEachCall(Caller(1, "bench", role, scope)),
                           timeout=120)


def wait_done(rpc, area, job_id, timeout=3600):
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        state = rpc.documents.job(area, job_id)
        if state["status"] in ("done", "failed"):
            if state["status"] == "failed":
                raise RuntimeError(f"job {job_id} failed: {state['error']}")
            return state
        time.sleep(0.05)
    raise RuntimeError(f"job {job_id} not done in {timeout} s")


def job_seconds(job_id):
    (seconds,) = sql("SELECT extract(epoch FROM finished_at - created_at) FROM documents.jobs WHERE id = %s", (job_id,))[0]
    return float(seconds)


BASELINE = """
import json, sys, time
from documents import render
pages = json.load(open(sys.argv[2]))
render.compile_pdf(sys.argv[1], pages[:3], sys.argv[3])   # the engine warm (fonts loaded), as the service's is
t = time.perf_counter()
render.compile_pdf(sys.argv[1], pages, sys.argv[3])
print(time.perf_counter() - t)
"""


def baseline_compile(form, as_of):
    """One compile of every page, from data in memory, in a process of its own: in one process
    Typst remembers what it laid out (comemo), and the same pages again take a quarter of the time."""
    done = subprocess.run([str(gb.BIN / "python"), "-c", BASELINE, form, str(WORK / f"{form}_pages.json"), as_of],
                          capture_output=True, text=True, check=True, env=env())
    return float(done.stdout.strip().splitlines()[-1])


def b1(runs):
    """Each run prints a community the service has not printed before (Typst remembers what it laid
    out: the same certificates again would be cheaper than the first time), after a warm-up job on
    another community (a running service has its fonts loaded)."""
    from contracts.access import COMMUNITY_STAFF
    from documents import certificates
    codes = [c.strip() for (c,) in sql("SELECT code FROM registration.communities ORDER BY code")]
    procs = start(1)
    try:
        results = []
        for run, community in enumerate(codes[:runs + 1]):
            with proxy(COMMUNITY_STAFF, community) as rpc:
                certs, after = [], 0
                while True:  # the same certificates, in memory (not timed)
                    page = rpc.registration.community_certificates(community, YEAR, after, 500)
                    certs += page["items"]
                    if len(page["items"]) < 500:
                        break
                    after = page["items"][-1]["id"]
                pages = [certificates.b1(c, "http://127.0.0.1:8000") for c in certs]
                as_of = max(certificates.b1_as_of([c]) for c in certs)
                (WORK / "b1_pages.json").write_text(json.dumps(pages, ensure_ascii=False, default=str))
                base = [baseline_compile("b1", as_of) for _ in range(3)] if run else []
                t = time.perf_counter()
                job = rpc.documents.start_certificates(community, YEAR)
                state = wait_done(rpc, community, job["job_id"])
                through = time.perf_counter() - t
                inside = job_seconds(job["job_id"])
                assert state["done"] == len(pages) and state["file"]["bytes"] > 0
                if not run:
                    say(f"  warm-up: community {community}, {len(pages)} certificates in {through:.2f} s")
                    continue
                ratio = through / min(base)
                results.append((through, inside, min(base), ratio))
                say(f"  run {run}: community {community}, {len(pages)} certificates through the service {through:.2f} s "
                    f"(job's own {inside:.2f} s), {state['file']['bytes'] / 1e6:.1f} MB; baseline one compile in "
                    f"memory {min(base):.2f} s (best of {', '.join(f'{b:.2f}' for b in base)}) -> {ratio:.2f}x "
                    f"{'PASS' if ratio <= GOAL else 'FAIL'} (goal <= {GOAL}x)")
        return results
    finally:
        gb.stop_all(procs)


def d1(processes, members):
    from contracts.access import DISTRICT_OFFICER
    from documents import registers, render
    (district,) = sql("SELECT DISTINCT district_code FROM registration.communities")[0]
    total = sql("SELECT count(*) FROM scoring.accounts WHERE holder_kind = 'member'")[0][0]
    out = {}
    for n in processes:
        sql("TRUNCATE documents.jobs, documents.job_parts")
        procs = start(n)
        try:
            meter = gb.CpuMeter(procs)
            meter.groups.pop("load generator", None)
            with proxy(DISTRICT_OFFICER, district) as rpc:
                cpu0 = meter.snap()
                t = time.perf_counter()
                job = rpc.documents.start_registers(district, PERIOD)
                state = wait_done(rpc, district, job["job_id"])
                seconds = time.perf_counter() - t
                use, busy, _ = gb.CpuMeter.diff(cpu0, meter.snap())
                if n == processes[0]:  # the baseline: the same registers from memory, in this process
                    code = state["parts"][0]["community_code"]
                    found = rpc.scoring.community_registers_d1(code, PERIOD)
                    profiles = rpc.registration.community_profiles(code)
                    pages = [registers.d1(r, profiles.get(str(r["member"]["member_id"])), [], "社区", False) for r in found]
                    render.compile_pdf("d1", pages[:5], "2026-06-30")
                    t0 = time.perf_counter()
                    for i in range(0, len(pages), 100):
                        render.compile_pdf("d1", pages[i:i + 100], "2026-06-30")
                    out["baseline"] = len(pages) / (time.perf_counter() - t0)
            meter.close()
            assert state["done"] == total, (state["done"], total)
            rate = total / seconds
            out[n] = (seconds, rate, use, busy)
            say(f"D.1, {n} documents process(es): {total:,} registers of district {district} in {seconds:.1f} s "
                f"(job's own {job_seconds(job['job_id']):.1f} s) = {rate:.0f} documents/s; baseline in memory, one "
                f"process: {out['baseline']:.0f} documents/s; machine {busy:.0f}% busy of {os.cpu_count()} cores")
            say("  " + gb.cpu_line((use, busy, 0)))
        finally:
            gb.stop_all(procs)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("b1", "d1"))
    parser.add_argument("--runs", type=int, default=2, help="B.1 runs, each with its baseline")
    parser.add_argument("--members", type=int, default=30_000, help="D.1: members of the district")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    say(f"== documents benchmark, {os.cpu_count()} CPUs; machine {gb.machine_busy():.0f}% busy before the start ==")
    if args.only in (None, "b1"):
        t = time.perf_counter()
        prepare({"districts": ("410106",), "streets": 1, "communities": args.runs + 1, "units": 40, "members": 100},
                per_community=1000)
        say(f"B.1 city loaded in {time.perf_counter() - t:.1f} s")
        results = b1(args.runs)
        say(f"summary B.1: {', '.join(f'{r[3]:.2f}x' for r in results)} (median {statistics.median(r[3] for r in results):.2f}x)")
    if args.only in (None, "d1"):
        t = time.perf_counter()
        per_community = max(1, args.members // 100)
        prepare({"districts": ("410106",), "streets": 10, "communities": 10, "units": 10,
                 "members": max(1, per_community // 10)})
        say(f"D.1 city loaded in {time.perf_counter() - t:.1f} s")
        d1(args.processes, args.members)


if __name__ == "__main__":
    main()
