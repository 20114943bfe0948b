"""Half-year settlement of a synthetic city through the scoring service, against one SQL GROUP BY.

    .venv/bin/python bench/settlement_bench.py                           # 300,000 members, 6,000,000 entries
    .venv/bin/python bench/settlement_bench.py --reuse                   # keep the city of an earlier run
    .venv/bin/python bench/settlement_bench.py --members 3000 --entries 60000    # a quick check
    .venv/bin/python bench/settlement_bench.py --reuse --processes 4

Issue figure: "Settlement of a synthetic city of 300,000 members with 6,000,000 ledger entries:
seconds, against one SQL GROUP BY over the same table. Goal: at most 1.5x the raw query."

What it does, in order:
  1. isolates itself: PostgreSQL database `bench_settle` (created if missing; schema `scoring`
     dropped and migrated from services/scoring, unless --reuse finds the city already loaded),
     RabbitMQ vhost `sbd_bench_settle` (recreated), ports 18680.. (one per scoring process), logs
     in /tmp/settlement_bench; nothing of a running demo, of the tests or of another bench is touched;
  2. loads a synthetic city by COPY (not timed as part of the figure; its time is printed): 16
     districts (4101xx) x ~8 streets x ~16 communities (~2,000 communities at full size, fewer
     when --members is smaller, ~150 members each), ~20,000 units, --members members each with a
     red account (scoring.accounts, `earned` = the sum of the member's entries) and --entries
     ledger entries in the half year --period, written in time order with the members shuffled
     across communities (as a city's intake arrives): ~95% `service` (2..8 points, one event
     each), ~3% `merit` (1..20, by an officer), ~1% `project_rating` of ~5 projects per community
     (0..30); ~1% of the members have no entry at all. The ledger's indexes and constraints are
     dropped before the COPY and rebuilt after it from their own definitions (so the table ends
     exactly as the migration left it), then VACUUM ANALYZE (statistics and a visibility map, so
     index-only scans are index-only);
  3. the baseline, on a warm cache, best of 3: one GROUP BY over the same table computing what
     settlement computes, per community and holder sum(points) and count(*) of the period,
       - into a TEMP table (CREATE TEMP TABLE .. AS SELECT .. GROUP BY): the headline, because
         settlement, too, writes its results into a table;
       - into a regular (WAL-logged) table, and fetched in full by the client: for reference;
     with its plan and the PostgreSQL settings that decide it (parallel workers, work_mem, jit);
  4. the figure: starts --processes scoring processes (`nameko run`, config.yaml, each its own web
     port), waits for their /health, warms them up as the baseline was warmed (one run over the
     other half year, which has no entries; its drafts emptied; --no-warmup skips it), calls
     `scoring.start_settlement("4101", period)` as the city administrator (ClusterRpcProxy, the
     caller in the RPC context as the gateway puts it) and polls `scoring.settlement_run(run_id)`
     every 0.05 s until it says done: seconds from the call to done, communities/s, and the ratio
     to the baseline. CPU per process during the run;
  5. checks every member's drafted points and entry count (settlement_results of the run's
     communities, latest revision) against the GROUP BY; members with an account but no entry
     must not be written (the service lists them with 0 when a settlement is read); and shows the EXPLAIN (ANALYZE, BUFFERS) of the
     largest community's settlement reads: the SELECT of each INSERT .. SELECT the service runs
     (scoring.settlement._RESULTS, read from the service's module, with the parameters
     it passes), or the equivalent read over ledger_settlement if they cannot be found. Before the
     run, a plain EXPLAIN of the same warns when one of them scans the whole ledger.

Every scoring process is stopped in `finally`. Exit status 1 if a verification fails (a member
whose drafted points or entries differ from the GROUP BY, a member missing from the results, a
run that does not finish); the goal is printed PASS/FAIL and does not change the exit status.
"""
import argparse
import io
import os
import random
import signal
import subprocess
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)  # eventlet's notice, via nameko
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # (its own class, on some versions)

DB_NAME = "bench_settle"
DB_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
VHOST = "sbd_bench_settle"
AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
# the per-service variable wins over DATABASE_URL (toolkit.config): pin both before any import
os.environ["DATABASE_URL"] = os.environ["SCORING_DATABASE_URL"] = DB_URL

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psycopg2  # noqa: E402

import gateway_bench as gb  # noqa: E402  (its process, health and CPU helpers)

HOST, ROOT, BIN = gb.HOST, gb.ROOT, gb.BIN
FIRST_PORT = 18680
SERVICE = "scoring"
AREA = "4101"  # the city: every district code starts with it
SERVER = {"host": "127.0.0.1", "port": 5432, "user": "root"}
GOAL_RATIO = 1.5
POLL = 0.05

# gateway_bench's helpers read these module constants when they run: pointed here, they start and
# measure this bench's processes, logs and database backends
gb.DB_NAME = DB_NAME
gb.DB_URL = DB_URL
gb.VHOST = VHOST
gb.AMQP_URI = AMQP_URI
gb.LOG_DIR = Path(os.environ.get("SETTLEMENT_BENCH_LOGS", "/tmp/settlement_bench"))
say = gb.say


def connect(dbname=DB_NAME):
    return psycopg2.connect(dbname=dbname, options="-c timezone=Asia/Shanghai", **SERVER)


def query(sql, params=None):
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


# --- step 1: isolation -------------------------------------------------------------------------

def ensure_database():
    conn = connect("root")
    conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def rebuild_schema():
    conn = connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {SERVICE} CASCADE")
    conn.close()
    migrate()


def migrate():
    """To head: a no-op when it is there, else the migrations written since the city was loaded."""
    subprocess.run([str(BIN / "python"), "-m", "toolkit.migrate", f"services/{SERVICE}"], cwd=ROOT,
                   env=service_env(), check=True, capture_output=True)


def service_env(**extra):
    env = dict(os.environ)
    env.update(AMQP_URI=AMQP_URI, DATABASE_URL=DB_URL, SCORING_DATABASE_URL=DB_URL,
               PYTHONWARNINGS="ignore::DeprecationWarning", PYTHONUNBUFFERED="1")
    env.pop("SCORING_MAX_WORKERS", None)  # config.yaml's default, as deployed
    env.update({k: str(v) for k, v in extra.items()})
    return env


def loaded(members, entries, period):
    """Is the city of these sizes already there (for --reuse)? Every member's account and exactly
    `entries` entries, all in `period`."""
    try:
        (accounts,), = query("SELECT count(*) FROM scoring.accounts WHERE holder_kind = 'member'")
        (total, in_period), = query("SELECT count(*), count(*) FILTER (WHERE period = %s) FROM scoring.ledger",
                                    (period,))
    except psycopg2.Error:
        return False
    return accounts == members and total == entries == in_period


def clear_settlements():
    """--reuse: the settlements of an earlier run would make this one a revision (or skip its
    communities). They are drafts of a bench database: emptied, with the runs and the outbox.
    TRUNCATE fires no row trigger, and the ledger itself is not touched."""
    # the results are the lists since migration 0005 (settlement_results a view of them), a table before
    names = ("settlement_lists", "settlement_results", "settlements", "run_communities", "settlement_runs", "periods",
             "outbox", "inbox")
    tables = [t for t in names if query("SELECT relkind = 'r' FROM pg_class WHERE oid = to_regclass(%s)",
                                        (f"{SERVICE}.{t}",))[:1] == [(True,)]]
    conn = connect()
    with conn, conn.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(f'{SERVICE}.{t}' for t in tables)}")
    conn.close()


# --- step 2: the synthetic city ------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
MERIT = ("抢险救灾：参与社区防汛值守", "见义勇为：协助制止一起盗窃", "疫情防控：连续值守卡口", "扶贫帮困：结对帮扶困难家庭",
         "邻里互助：照料独居老人", "文明创建：组织楼院环境整治", "平安建设：参与夜间巡逻", "其他：受到街道通报表扬")
RATERS = ("群众", "社区", "街道")


def period_days(period):
    year, half = int(period[:4]), period[4:]
    first = date(year, 1, 1) if half == "H1" else date(year, 7, 1)
    last = date(year, 6, 30) if half == "H1" else date(year, 12, 31)
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


class City:
    """The administrative tree, the units, the members (their community and unit) and the
    projects, drawn from one seed; the ledger is drawn from it in `ledger_chunks`."""

    def __init__(self, members, seed=2026):
        rng = random.Random(seed)
        # ~2,000 communities at 300,000 members (~150 each); a smaller city has fewer streets and
        # fewer communities per street, so that communities keep their size
        shrink = min(1.0, members / 300_000) ** 0.5
        self.communities = []  # (district, street, community)
        for d in range(16):
            district = f"4101{d + 2:02d}"
            for s in range(max(1, round(rng.randint(7, 9) * shrink))):
                street = f"{district}{s + 1:03d}"
                for c in range(max(1, round(rng.randint(13, 19) * shrink))):
                    self.communities.append((district, street, f"{street}{c + 1:03d}"))
        nc = len(self.communities)
        self.n_units = max(1, members // 15)
        weights = [rng.uniform(0.6, 1.4) for _ in range(nc)]
        # member ids 1..members, each in a community drawn by the communities' weights (ids are
        # scattered over the city, as registration hands them out) and a unit of the city
        self.member_community = [0] + rng.choices(range(nc), weights, k=members)
        self.member_unit = [0] + [rng.randint(1, self.n_units) for _ in range(members)]
        self.members = members
        self.idle = set(rng.sample(range(1, members + 1), members // 100))  # no entry in the half year
        self.projects = [(rng.randrange(nc), rng.randint(1, self.n_units)) for _ in range(nc * 5)]
        self.names = [""] + [rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                             for _ in range(members)]

    def ledger_chunks(self, entries, period, earned, seed=2027, chunk=50_000):
        """COPY text of the ledger, `chunk` rows at a time, in time order (ids 1..entries);
        adds each member's points to earned[member_id]."""
        rng = random.Random(seed)
        bits, rand = rng.getrandbits, rng.random
        days = period_days(period)
        span = len(days) * 86400
        scope = ["\t".join(c) for c in self.communities]
        prefix = [None] + [f"member\t{m}\t{self.member_unit[m]}\t{scope[self.member_community[m]]}\t{period}\t"
                           for m in range(1, self.members + 1)]
        officer = [None] + [f"officer:staff.{self.communities[self.member_community[m]][2]}"
                            for m in range(1, self.members + 1)]
        projects = [f"project\t{p + 1}\t{unit}\t{scope[c]}\t{period}\t" for p, (c, unit) in enumerate(self.projects)]
        active = [m for m in range(1, self.members + 1) if m not in self.idle]
        # 512 (points, text) of service entries: base 5, adjustment -3..+3 (mostly 0)
        adjustments = [0] * 60 + [1, -1] * 10 + [2, -2] * 5 + [3, -3] * 3
        service = []
        for _ in range(512):
            adj = rng.choice(adjustments)
            service.append((5 + adj, f"service\t{5 + adj}\t服务活动 {rng.randint(1, 200_000)}：基础分5，调整{adj:+d}\t"))
        minute_key, minute_text = -1, ""
        for base in range(0, entries, chunk):
            n = min(chunk, entries - base)
            who = rng.choices(active, k=n)
            out = []
            for k in range(n):
                i = base + k
                sec = i * span // entries
                if sec // 60 != minute_key:
                    minute_key = sec // 60
                    minute_text = f"{days[sec // 86400]} {sec // 3600 % 24:02d}:{sec // 60 % 60:02d}"
                ts = f"{minute_text}:{sec % 60:02d}+08"
                r = rand()
                if r < 0.96:
                    h = f"{bits(128):032x}"
                    u = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"
                    m = who[k]
                    if r < 0.95:
                        pts, text = service[bits(9)]
                        out.append(f"{i + 1}\t{prefix[m]}{text}event:{u}\t{u}\t1\t{ts}\t{ts}\n")
                    else:  # a project's rating (no member; its unit as member_unit_id)
                        p = bits(30) % len(projects)
                        pts = bits(30) % 31
                        out.append(f"{i + 1}\t{projects[p]}project_rating\t{pts}\t联建项目评价（"
                                   f"{RATERS[pts % 3]}）：评价人{bits(16)}\tevent:{u}\t{u}\t1\t{ts}\t{ts}\n")
                        continue
                else:  # merit (一事一记) by the community's staff: no event
                    m = who[k]
                    pts = 1 + bits(30) % 20
                    out.append(f"{i + 1}\t{prefix[m]}merit\t{pts}\t{MERIT[bits(3)]}\t{officer[m]}\t\\N\t1\t{ts}\t{ts}\n")
                earned[m] += pts
            yield "".join(out), n


class ChunkReader:
    """A file for copy_expert: read() hands over the next generated chunk, so that PostgreSQL
    parses one chunk while this process generates the next (two cores, both busy)."""

    def __init__(self, chunks, progress):
        self.chunks, self.progress = chunks, progress

    def read(self, size=-1):
        for text, n in self.chunks:
            self.progress(n)
            return text
        return ""

    readline = read


LEDGER_COLUMNS = ("id", "holder_kind", "holder_id", "member_unit_id", "district_code", "street_code",
                  "community_code", "period", "kind", "points", "reason", "source", "source_event_id",
                  "rule_version", "occurred_at", "recorded_at")


class Progress:
    """tqdm on a terminal when the venv has it, else a line every 10% (a log stays readable)."""

    def __init__(self, total, label):
        self.total, self.label, self.done, self.next_print = total, label, 0, total / 10
        self.started = time.perf_counter()
        self.bar = None
        if sys.stdout.isatty():
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, desc=f"  {label}", unit="rows", unit_scale=True, file=sys.stdout)
            except ImportError:
                pass

    def __call__(self, n):
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.done >= self.next_print or self.done == self.total:
            elapsed = time.perf_counter() - self.started
            say(f"  {self.label}: {self.done:,} of {self.total:,} rows, {elapsed:.0f} s, {self.done / elapsed:,.0f} rows/s")
            self.next_print += self.total / 10

    def close(self):
        if self.bar is not None:
            self.bar.close()


def ledger_structure(cur):
    """The ledger's constraints (primary key, unique, foreign keys from or to it) and other
    indexes, as their own DDL, so that they can be dropped and rebuilt exactly."""
    cur.execute("""SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
                     FROM pg_constraint
                    WHERE (conrelid = 'scoring.ledger'::regclass OR confrelid = 'scoring.ledger'::regclass)
                      AND contype IN ('p', 'u', 'f')""")
    constraints = cur.fetchall()
    cur.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                     FROM pg_index i
                    WHERE i.indrelid = 'scoring.ledger'::regclass
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""")
    return constraints, cur.fetchall()


def load_city(city, entries, period):
    """COPY the ledger (indexes dropped) and the accounts; rebuild; VACUUM ANALYZE. Returns the
    seconds of each part."""
    timings = {}
    earned = [0] * (city.members + 1)
    conn = connect()
    cur = conn.cursor()
    cur.execute("SET maintenance_work_mem = '1GB'")
    constraints, indexes = ledger_structure(cur)
    for table, name, kind, _ in sorted(constraints, key=lambda c: c[2] != "f"):  # foreign keys first
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    conn.commit()

    say(f"  dropped {len(constraints)} constraints and {len(indexes)} indexes of the ledger; COPY ...")
    progress = Progress(entries, "ledger")
    t = time.perf_counter()
    cur.copy_expert(f"COPY scoring.ledger ({', '.join(LEDGER_COLUMNS)}) FROM STDIN",
                    ChunkReader(city.ledger_chunks(entries, period, earned), progress), size=1 << 20)
    cur.execute("SELECT setval(pg_get_serial_sequence('scoring.ledger', 'id'), %s)", (max(1, entries),))
    conn.commit()
    progress.close()
    timings["COPY ledger (generated while copied)"] = time.perf_counter() - t

    t = time.perf_counter()
    buf = io.StringIO()
    for m in range(1, city.members + 1):
        d, s, c = city.communities[city.member_community[m]]
        buf.write(f"member\t{m}\tRA-M-{m:08d}\t{city.names[m]}\t{city.member_unit[m]}\t{d}\t{s}\t{c}\t{earned[m]}\t0\n")
    buf.seek(0)
    cur.copy_expert("COPY scoring.accounts (holder_kind, holder_id, account_no, name, unit_id, district_code, "
                    "street_code, community_code, earned, spent) FROM STDIN", buf, size=1 << 20)
    conn.commit()
    timings["COPY accounts"] = time.perf_counter() - t

    for table, name, kind, ddl in sorted(constraints, key=lambda c: c[2] == "f"):  # keys before foreign keys
        t = time.perf_counter()
        cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}')
        conn.commit()
        timings[f"constraint {name}"] = time.perf_counter() - t
    for name, ddl in indexes:
        t = time.perf_counter()
        cur.execute(ddl)
        conn.commit()
        timings[f"index {name}"] = time.perf_counter() - t
    conn.autocommit = True
    t = time.perf_counter()
    cur.execute("VACUUM ANALYZE scoring.ledger")
    cur.execute("VACUUM ANALYZE scoring.accounts")
    timings["VACUUM ANALYZE"] = time.perf_counter() - t
    after = ledger_structure(cur)
    conn.close()
    if sorted(after[0]) != sorted(constraints) or sorted(after[1]) != sorted(indexes):
        raise RuntimeError(f"the ledger's constraints or indexes differ after the rebuild: {after} != "
                           f"{(constraints, indexes)}")
    return timings


def city_counts(period):
    (communities, members, idle), = query(
        """SELECT count(DISTINCT community_code), count(*),
                  count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM scoring.ledger l WHERE l.holder_kind = 'member'
                                   AND l.holder_id = a.holder_id AND l.period = %s))
             FROM scoring.accounts a WHERE holder_kind = 'member'""", (period,))
    rows = dict(query("SELECT kind, count(*) FROM scoring.ledger WHERE period = %s GROUP BY 1", (period,)))
    (size,), = query("SELECT pg_size_pretty(pg_table_size('scoring.ledger')) || ' table, ' || "
                     "pg_size_pretty(pg_indexes_size('scoring.ledger')) || ' indexes'")
    return communities, members, idle, rows, size


# --- step 3: the baseline ------------------------------------------------------------------------

GROUP_BY = ("SELECT community_code, holder_kind, holder_id, sum(points) AS points, count(*) AS entries "
            "FROM scoring.ledger WHERE period = %(period)s GROUP BY 1, 2, 3")
SETTINGS = ("max_parallel_workers_per_gather", "max_parallel_workers", "work_mem", "hash_mem_multiplier",
            "shared_buffers", "effective_cache_size", "random_page_cost", "jit", "temp_buffers")


def baseline(period, repeat=3):
    """Best of `repeat` (after one warm-up run) of each variant; returns ({variant: (best, all)},
    the rows it grouped, the settings, the plan)."""
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS public.bench_baseline")
    settings = {}
    for name in SETTINGS:
        cur.execute(f"SHOW {name}")
        settings[name] = cur.fetchone()[0]
    cur.execute("SHOW server_version")
    settings["server_version"] = cur.fetchone()[0]
    cur.execute("EXPLAIN " + GROUP_BY, {"period": period})
    plan = [r[0] for r in cur.fetchall()]
    variants = {
        "TEMP table": (f"CREATE TEMP TABLE bench_baseline AS {GROUP_BY}", "DROP TABLE bench_baseline"),
        "logged table": (f"CREATE TABLE public.bench_baseline AS {GROUP_BY}", "DROP TABLE public.bench_baseline"),
        "fetched by the client": (GROUP_BY, None),
    }
    results, rows = {}, None
    for label, (sql, cleanup) in variants.items():
        times = []
        for i in range(repeat + 1):
            t = time.perf_counter()
            cur.execute(sql, {"period": period})
            if cleanup is None:
                rows = len(cur.fetchall())
            elapsed = time.perf_counter() - t
            if cleanup:
                rows = cur.rowcount
                cur.execute(cleanup)
            if i:  # the first run warms the cache
                times.append(elapsed)
        results[label] = (min(times), times)
    conn.close()
    return results, rows, settings, plan


# --- step 4: the settlement through the service --------------------------------------------------

def start_services(procs, n):
    for i in range(n):
        port = FIRST_PORT + i
        procs.append(gb.nameko(f"scoring{i + 1}", "scoring.service", ROOT / "services" / SERVICE, "config.yaml",
                               service_env(SCORING_WEB_ADDRESS=f"{HOST}:{port}")))
    for i in range(n):
        gb.wait_healthy(f"http://{HOST}:{FIRST_PORT + i}/health", procs)


def settle(period, procs, timeout):
    """start_settlement, then settlement_run until done (or --timeout). Returns (seconds,
    seconds start_settlement took, the last settlement_run, polls, cpu)."""
    from nameko.standalone.rpc import ClusterRpcProxy
    from contracts.access import CITY_ADMIN, Caller
    from toolkit.caller import SignedAtEachCall

    caller = SignedAtEachCall(Caller(1, "bench", CITY_ADMIN, ""))  # signed at each call: the run takes minutes
    meter = gb.CpuMeter(procs, count_sessions=True)
    meter.groups.pop("load generator")
    meter.groups["this process (RPC, polls)"] = [os.getpid()]
    with ClusterRpcProxy({"AMQP_URI": AMQP_URI}, context_data=caller, timeout=timeout) as cluster:
        cpu0 = meter.snap()
        t0 = time.perf_counter()
        started = cluster.scoring.start_settlement(AREA, period)
        t_started = time.perf_counter() - t0
        run_id, polls = started["run_id"], 0
        say(f"  run {run_id}: {started.get('total')} communities, start_settlement answered in {t_started:.2f} s")
        last_say = t0
        while True:
            run = cluster.scoring.settlement_run(run_id)
            polls += 1
            now = time.perf_counter()
            if run.get("done"):
                break
            if now - t0 > timeout:  # reported as such: how far it got, and the communities drafted so far checked
                say(f"  !! run {run_id} not done after {timeout:g} s (--timeout): stopping")
                break
            if now - last_say > 10:
                say(f"  {now - t0:5.0f} s: {run.get('pending')} pending, {run.get('drafted')} drafted, "
                    f"{run.get('skipped')} skipped")
                last_say = now
            time.sleep(POLL)
        seconds = now - t0
        cpu = gb.CpuMeter.diff(cpu0, meter.snap())
    meter.close()
    return seconds, t_started, run, polls, cpu


def end_backends():
    """A scoring process stopped in the middle of a settlement read leaves its backend running the
    statement: end the backends of this bench's database (only the processes started here use it)."""
    (ended,), = query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                      (DB_NAME,))
    if ended:
        say(f"  ended {ended} backend(s) of {DB_NAME} left by the stopped processes")


# --- step 5: correctness and the per-community plan ----------------------------------------------

CHECK = """
WITH expected AS (
    SELECT community_code, holder_id, sum(points) AS points, count(*) AS entries
      FROM scoring.ledger
     WHERE period = %(period)s AND holder_kind = 'member' AND community_code LIKE %(area)s || '%%'
       AND (%(all)s OR community_code IN (SELECT community_code FROM scoring.run_communities
                                           WHERE run_id = %(run)s AND status <> 'pending'))
     GROUP BY 1, 2),
latest AS (
    SELECT DISTINCT ON (s.community_code) s.id, s.community_code
      FROM scoring.settlements s
      JOIN scoring.run_communities rc ON rc.run_id = %(run)s AND rc.community_code = s.community_code
     WHERE s.period = %(period)s
     ORDER BY s.community_code, s.revision DESC),
got AS (
    SELECT l.community_code, r.holder_id, r.points, r.entries
      FROM scoring.settlement_results r JOIN latest l ON l.id = r.settlement_id
     WHERE r.holder_kind = 'member')
SELECT coalesce(e.community_code, g.community_code) AS community_code, coalesce(e.holder_id, g.holder_id),
       e.points, e.entries, g.points, g.entries,
       (SELECT count(*) FROM scoring.accounts a WHERE a.holder_kind = 'member' AND a.holder_id = g.holder_id
           AND a.community_code = g.community_code) AS has_account
  FROM expected e FULL JOIN got g ON g.community_code = e.community_code AND g.holder_id = e.holder_id
"""


def verify(run_id, period, finished=True):
    """Every member's drafted result against the GROUP BY (if the run did not finish: in the
    communities it finished). Returns the counts and a few examples."""
    counts = dict(matched=0, differ=0, missing=0, zero_with_account=0, zero_without_account=0, extra=0)
    examples = []
    conn = connect()
    with conn, conn.cursor(name="verify") as cur:  # server-side: 300,000 rows need not sit in memory twice
        cur.itersize = 50_000
        cur.execute(CHECK, {"period": period, "area": AREA, "run": run_id, "all": finished})
        for code, holder, e_points, e_entries, g_points, g_entries, has_account in cur:
            if e_points is not None and g_points is not None:
                key = "matched" if (g_points == e_points and g_entries == e_entries) else "differ"
            elif g_points is None:
                key = "missing"
            elif g_points == 0 and g_entries == 0:
                key = "zero_with_account" if has_account else "zero_without_account"
            else:
                key = "extra"
            counts[key] += 1
            if key in ("differ", "missing", "extra", "zero_without_account") and len(examples) < 8:
                examples.append(f"{key}: community {code} member {holder}: GROUP BY points {e_points} entries "
                                f"{e_entries}, settlement points {g_points} entries {g_entries}")
    (idle,), = query("""SELECT count(*) FROM scoring.accounts a
                         WHERE a.holder_kind = 'member' AND a.community_code LIKE %s || '%%'
                           AND (%s OR a.community_code IN (SELECT community_code FROM scoring.run_communities
                                                           WHERE run_id = %s AND status <> 'pending'))
                           AND NOT EXISTS (SELECT 1 FROM scoring.ledger l WHERE l.holder_kind = 'member'
                                           AND l.holder_id = a.holder_id AND l.period = %s
                                           AND l.community_code = a.community_code)""",
                     (AREA, finished, run_id, period))
    statuses = dict(query("SELECT status, count(*) FROM scoring.run_communities WHERE run_id = %s GROUP BY 1",
                          (run_id,)))
    conn.close()
    return counts, idle, examples, statuses


def explain_community(period, analyze=True):
    """EXPLAIN (ANALYZE, BUFFERS) of one community's settlement reads, the largest community's:
    the SELECT part of each INSERT .. SELECT the service runs (scoring.settlement._RESULTS,
    read from the service's own module), with the parameters it would pass. Returns
    (community code, [(label, sql, plan lines)])."""
    import re
    (code,), = query("SELECT community_code FROM scoring.accounts WHERE holder_kind = 'member' "
                     "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    (upto,), = query("SELECT coalesce(max(id), 0) FROM scoring.ledger")
    statements = []
    try:
        sys.path.insert(0, str(ROOT / "services" / SERVICE))
        from scoring import domain, settlement as module  # the service's own SQL
        # the bench's database has the rules of version 1 only (the versions are data: migration 0006)
        rules = domain.FIRST if hasattr(domain, "FIRST") else domain.RULES[domain.CURRENT]
        params = {"sid": 0, "c": code, "sids": [0], "codes": [code], "p": period, "upto": upto,
                  "max_stars": rules.max_stars, "per_star": rules.points_per_star}
        for name in ("_RESULTS", "_MEMBERS", "_UNITS"):
            sql = getattr(module, name, None)
            if isinstance(sql, str) and "SELECT" in sql:
                # the INSERT's SELECT alone (nothing written); :name -> %(name)s for psycopg2
                select_part = sql[sql.index("WITH") if "WITH" in sql.split("SELECT", 1)[0] else sql.index("SELECT"):]
                statements.append((f"scoring.settlement.{name}, its SELECT",
                                   re.sub(r"(?<![:\w]):([a-z_]+)", r"%(\1)s", select_part.replace("%", "%%")),
                                   params))
    except Exception as exc:  # the service's module changed shape: say so, and explain the equivalent read
        say(f"  (the service's settlement SQL could not be read: {exc!r})")
    if not statements:
        statements.append(("the equivalent read over ledger_settlement",
                           "SELECT holder_id, sum(points), count(*), max(member_unit_id) FROM scoring.ledger "
                           "WHERE community_code = %(c)s AND period = %(p)s AND holder_kind = 'member' "
                           "AND id <= %(upto)s GROUP BY holder_id", {"c": code, "p": period, "upto": upto}))
    out = []
    conn = connect()
    try:
        for label, sql, params in statements:
            try:
                with conn.cursor() as cur:
                    cur.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql, params)
                    plan = [r[0] for r in cur.fetchall()]
            except psycopg2.Error as exc:
                plan = [f"(could not EXPLAIN: {str(exc).strip()})"]
            conn.rollback()
            out.append((label, sql, plan))
    finally:
        conn.close()
    return code, out


# --- main ------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=300_000)
    ap.add_argument("--entries", type=int, default=6_000_000)
    ap.add_argument("--processes", type=int, default=2, help="scoring processes (nameko run)")
    ap.add_argument("--period", default="2026H1", help="the half year the entries are in, and settled")
    ap.add_argument("--reuse", action="store_true", help="keep the loaded city if its counts match (no generation)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the run to be done")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="first wait up to this long for the machine to be idle (a shared machine)")
    ap.add_argument("--skip-settlement", action="store_true", help="steps 1-3 only (the city and the baseline)")
    ap.add_argument("--no-warmup", action="store_true",
                    help="time the first run of freshly started processes (no warm-up run before it)")
    args = ap.parse_args(argv)
    if len(args.period) != 6 or args.period[4:] not in ("H1", "H2") or not args.period[:4].isdigit():
        sys.exit("--period is a half year, e.g. 2026H1")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind through `finally`: stop the services
    ports = [FIRST_PORT + i for i in range(args.processes)]
    in_use = [p for p in ports if not gb.port_free(p)]
    if in_use and not args.skip_settlement:
        sys.exit(f"ports in use: {in_use}; is another settlement benchmark running?")
    busy = gb.machine_busy()
    give_up = time.monotonic() + args.wait_quiet
    while busy > 10 and time.monotonic() < give_up:
        busy = gb.machine_busy(5)
    say(f"== settlement benchmark: {args.members:,} members, {args.entries:,} entries in {args.period}, "
        f"{args.processes} scoring processes, {os.cpu_count()} CPUs; machine {busy:.0f}% busy before the start; "
        f"logs in {gb.LOG_DIR} ==")
    if busy > 10:
        say("!! the machine is already busy: figures will be low and noisy (see `top`)")

    ensure_database()
    gen_seconds = None
    if args.reuse and loaded(args.members, args.entries, args.period):
        say(f"reusing the city in {DB_NAME} (counts match); migrated to head; settlements of earlier runs emptied")
        migrate()
        clear_settlements()
    else:
        if args.reuse:
            say("--reuse: the loaded city does not match these sizes; generating it")
        say(f"setting up: database {DB_NAME} (schema {SERVICE} dropped and migrated)")
        rebuild_schema()
        t = time.perf_counter()
        city = City(args.members)
        say(f"  city drawn: {len(city.communities)} communities, {city.n_units} units, {args.members:,} members "
            f"({time.perf_counter() - t:.1f} s)")
        timings = load_city(city, args.entries, args.period)
        gen_seconds = time.perf_counter() - t
        for label, seconds in timings.items():
            say(f"  {label:<46} {seconds:7.1f} s")
        say(f"  city generated and loaded in {gen_seconds:.1f} s")
        del city
    communities, members, idle, kinds, size = city_counts(args.period)
    say(f"city: {communities} communities, {members:,} members with accounts ({idle:,} with no entry), ledger "
        f"{sum(kinds.values()):,} entries in {args.period} ({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}); "
        f"{size}")

    say("baseline: one GROUP BY, best of 3 after a warm-up ...")
    base, groups, settings, base_plan = baseline(args.period)
    for label, (best, times) in base.items():
        say(f"  {label:<22}: {best:6.2f} s  ({', '.join(f'{t:.2f}' for t in times)}; {groups:,} groups)")

    procs, settled, failures = [], None, []
    if not args.skip_settlement:
        try:
            say(f"setting up: vhost {VHOST}; starting {args.processes} scoring processes ...")
            gb.prepare_broker()
            start_services(procs, args.processes)
            # a read that scans the whole ledger per row would make the run last hours: say so first
            for label, _, plan in explain_community(args.period, analyze=False)[1]:
                scans = [line.strip(" ->") for line in plan if "Seq Scan on ledger" in line]
                if scans:
                    say(f"!! {label} plans {len(scans)} sequential scan(s) of the whole ledger: {scans[0]} "
                        f"(see its EXPLAIN below)")
            if not args.no_warmup:
                # the baseline is timed after a warm-up; so is the service: one run over the other
                # half year, which has nothing to count, opens every process's connections and
                # loads their backends' catalogs; its drafts are then emptied
                other = args.period[:5] + ("2" if args.period.endswith("1") else "1")
                say(f"warm-up: settling {AREA} {other} (no entries), then emptying its drafts ...")
                settle(other, procs, args.timeout)
                clear_settlements()
            say(f"settling {AREA} {args.period} ...")
            settled = settle(args.period, procs, args.timeout)
        finally:
            gb.stop_all(procs)
            end_backends()
    return report(args, gen_seconds, communities, members, base, groups, settings, base_plan, settled, failures)


def report(args, gen_seconds, communities, members, base, groups, settings, base_plan, settled, failures):
    say("")
    say("== results ==")
    if gen_seconds is not None:
        say(f"generation (draw, COPY, rebuild indexes, VACUUM ANALYZE): {gen_seconds:.1f} s")
    say("PostgreSQL: " + ", ".join(f"{k} {v}" for k, v in settings.items()))
    say("baseline plan (EXPLAIN):")
    for line in base_plan:
        say(f"    {line}")
    headline = base["TEMP table"][0]
    for label, (best, _) in base.items():
        say(f"baseline GROUP BY into {label:<22}: {best:7.2f} s" if label != "fetched by the client"
            else f"baseline GROUP BY {label:<27}: {best:7.2f} s")
    if settled is None:
        return 0
    seconds, t_started, run, polls, cpu = settled
    total = run.get("total") or 0
    finished = bool(run.get("done"))
    if finished:
        say(f"settlement through the service       : {seconds:7.2f} s  ({total} communities, {total / seconds:.1f} "
            f"communities/s, {members / seconds:,.0f} members/s; start_settlement answered in {t_started:.2f} s, "
            f"{polls} polls every {POLL} s)")
    else:
        settled_n = total - (run.get("pending") or 0)
        rate = settled_n / seconds
        say(f"settlement through the service       : NOT DONE after {seconds:.0f} s: {settled_n} of {total} "
            f"communities ({rate:.2f} communities/s; at that rate all of them would take "
            f"{total / rate if rate else float('inf'):,.0f} s, a rough figure: the communities in flight "
            f"are not counted)")
    server = (run["finished_at"] - run["started_at"]).total_seconds() if run.get("finished_at") else float("nan")
    say(f"  run {run.get('run_id')}: {run.get('drafted')} drafted, {run.get('skipped')} skipped, {run.get('pending')} "
        f"pending" + (f"; by the database's clock, start_run's transaction to the last community's finish: "
                      f"{server:.2f} s" if finished else ""))
    if run.get("skipped_communities"):
        say(f"  skipped: {run['skipped_communities'][:5]}")
    say(f"  {gb.cpu_line(cpu)}")
    if finished:
        ratio = seconds / headline
        say(f"ratio settlement / GROUP BY into a TEMP table: {ratio:.2f}x (/ logged table "
            f"{seconds / base['logged table'][0]:.2f}x, / fetched {seconds / base['fetched by the client'][0]:.2f}x)")
        say(f"goal: settlement <= {GOAL_RATIO}x the raw query        : {'PASS' if ratio <= GOAL_RATIO else 'FAIL'} "
            f"({ratio:.2f}x)")
    else:
        ratio = (total / rate if rate else float("inf")) / headline
        say(f"goal: settlement <= {GOAL_RATIO}x the raw query        : FAIL (not done; extrapolated {ratio:,.0f}x)")
        failures.append("the run did not finish within --timeout")

    say("")
    say("== verification ==")
    counts, idle, examples, statuses = verify(run["run_id"], args.period, finished)
    check(failures, total == communities, f"the run covers {total} communities of the {communities} loaded")
    check(failures, statuses.get("drafted", 0) == total and not run.get("pending"),
          f"communities per status: {statuses}" + ("" if finished else " (below: the finished ones only)"))
    check(failures, counts["differ"] == 0 and counts["missing"] == 0 and counts["extra"] == 0,
          f"members with entries: {counts['matched']:,} match the GROUP BY (points and entries), "
          f"{counts['differ']} differ, {counts['missing']} missing from the results, "
          f"{counts['extra']} in the results with points but none in the ledger")
    # the service writes what the ledger says; members with a red account and nothing in the half
    # year are listed with 0 when a settlement is read (scoring.settlement.listed), not written
    check(failures, counts["zero_with_account"] == 0 and counts["zero_without_account"] == 0,
          f"members with an account and no entry: {idle:,}, not written (listed with 0 when read); "
          f"result rows with 0 entries: {counts['zero_with_account'] + counts['zero_without_account']}")
    for e in examples:
        say(f"    {e}")

    code, explained = explain_community(args.period)
    for label, sql, plan in explained:
        say("")
        say(f"== one community's settlement read ({code}, the largest): {label}, EXPLAIN (ANALYZE, BUFFERS) ==")
        say("    " + " ".join(sql.split()))
        for line in plan:
            say(f"    {line}")
    if failures:
        say(f"\nFAILED: {len(failures)} verification(s) failed")
        return 1
    return 0


def check(failures, ok, text):
    say(f"  {'PASS' if ok else 'FAIL'}: {text}")
    if not ok:
        failures.append(text)


if __name__ == "__main__":
    sys.exit(main())
