"""The platform's database work through PgBouncer in transaction pooling, with the settings of
deploy/pgbouncer/pgbouncer.ini (the pooler of deploy/compose.yaml; deploy/k8s has CloudNativePG's):
many clients share a few server connections, the outbox and its relay work, the one-statement
use cases and advisory locks work, the city's clock holds without the `options` startup parameter,
and the gateway's audit writer leaves no session setting behind for the next client."""
import configparser
import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from kombu import Connection
from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url

from toolkit.db import Store, make_engine
from toolkit.listen import queue_for
from toolkit.tables import outbox_table

pytestmark = pytest.mark.integration
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVICE = "toolkit_pooled"
SERVER_POOL = 3   # server connections per (user, database): far fewer than the clients


def _pgbouncer():
    local = os.path.join(ROOT, ".venv", "ops", "usr", "sbin", "pgbouncer")
    return local if os.access(local, os.X_OK) else shutil.which("pgbouncer")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pooled(database_url, tmp_path_factory):
    """(direct URL, pooled URL) of a database of the test's own, Beijing time as the database's
    setting (as deploy/k8s/database.yaml and compose's PostgreSQL set it for the server)."""
    binary = _pgbouncer()
    assert binary, "PgBouncer is missing: deploy/local/test.sh installs it (ensure_ops_tools)"
    direct = make_url(database_url)
    name = f"{direct.database}_pooler"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT", pool_size=1)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'"))
    tmp = tmp_path_factory.mktemp("pgbouncer")
    ini = configparser.ConfigParser()
    ini.read(os.path.join(ROOT, "deploy", "pgbouncer", "pgbouncer.ini"))
    settings = ini["pgbouncer"]
    assert settings["pool_mode"] == "transaction"
    port = _free_port()
    settings.update({"listen_addr": "127.0.0.1", "listen_port": str(port), "unix_socket_dir": "",
                     "auth_file": str(tmp / "users.txt"), "logfile": "",
                     "default_pool_size": str(SERVER_POOL)})
    ini["databases"] = {name: f"host={direct.host or '127.0.0.1'} port={direct.port or 5432} dbname={name}"}
    (tmp / "users.txt").write_text(f'"{direct.username}" ""\n')
    with open(tmp / "pgbouncer.ini", "w") as f:
        ini.write(f)
    # PgBouncer will not run as root (CI is): it reads its files, then becomes nobody
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    log = open(tmp / "pgbouncer.log", "w")
    process = subprocess.Popen([binary, *user, str(tmp / "pgbouncer.ini")], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield (direct.set(database=name).render_as_string(hide_password=False),
           direct.set(database=name, host="127.0.0.1", port=port).render_as_string(hide_password=False))
    process.terminate()
    process.wait(10)
    log.close()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def store(pooled, amqp):
    direct, through = pooled
    metadata = MetaData(schema=SERVICE)
    outbox_table(metadata)
    setup = make_engine(direct, pool_size=1)
    with setup.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SERVICE} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SERVICE}"))
        conn.execute(text(f"CREATE TABLE {SERVICE}.things (n int PRIMARY KEY, at timestamptz DEFAULT now())"))
    metadata.create_all(setup)
    setup.dispose()
    # as a service process sizes it (toolkit.db.Database): 20 workers, no overflow
    s = Store(SERVICE, metadata, url=through, amqp=amqp, pool_size=22, max_overflow=0)
    yield s
    s.dispose()


def _server_connections(direct):
    engine = make_engine(direct, pool_size=1)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid()")).scalar_one()
    engine.dispose()
    return count


def test_twenty_workers_connections_share_three_server_connections_and_events_are_published(store, pooled, amqp):
    with Connection(amqp) as conn:
        queue = queue_for(SERVICE)(conn.channel())
        queue.declare()
        queue.purge()
        # every worker of a process holds a client connection (its pool never closes them)...
        held = [store.engine.connect() for _ in range(20)]
        try:
            for rounds in range(5):
                for k, c in enumerate(held):
                    with c.begin():
                        # a transaction's advisory lock, released at its commit: it may be taken on
                        # whichever server connection the pooler hands this transaction
                        c.execute(text("SELECT pg_advisory_xact_lock(42)"))
                        c.execute(text(f"INSERT INTO {SERVICE}.things (n) VALUES (:n)"), {"n": rounds * 100 + k})
            for n in range(20):
                with store.unit_of_work() as uow:
                    uow.emit("thing_done", {"district_code": "410106", "street_code": None,
                                            "community_code": None}, n=n)
            # ...yet the database sees no more than the pooler's own few
            assert _server_connections(pooled[0]) <= SERVER_POOL
        finally:
            for c in held:
                c.close()
        with store.engine.connect() as c:
            assert c.execute(text(f"SELECT count(*) FROM {SERVICE}.things")).scalar_one() == 100
        store.relay_loop.relay.drain()   # the relay's work, through the pooler too
        received = set()
        while (message := queue.get(no_ack=True)) is not None:
            received.add(message.payload["n"])
        assert received == set(range(20))


def test_the_city_clock_and_one_statement_use_cases_through_the_pooler(store):
    with store.unit_of_work(one_statement=True) as uow:
        uow.conn.execute(text(f"INSERT INTO {SERVICE}.things (n) VALUES (1)"))
    with store.engine.connect() as conn:
        # psycopg2's `options=-c timezone=...` cannot pass PgBouncer 1.18; the database's setting does
        assert conn.execute(text("SHOW timezone")).scalar_one() == "Asia/Shanghai"
        at = conn.execute(text(f"SELECT at FROM {SERVICE}.things WHERE n = 1")).scalar_one()
    assert at.utcoffset().total_seconds() == 8 * 3600


def test_the_audit_writer_leaves_no_setting_on_the_server_connection(pooled):
    from gateway.service import AuditLines
    direct, through = pooled
    setup = make_engine(direct, pool_size=1)
    with setup.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS gateway CASCADE"))
        conn.execute(text("CREATE SCHEMA gateway"))
        conn.execute(text("CREATE TABLE gateway.audit_log (id bigserial, " + ", ".join(
            f"{c} text" for c in AuditLines.COLUMNS) + ")"))
    setup.dispose()
    engine = make_engine(through, pool_size=2, max_overflow=0)
    lines = AuditLines(engine)
    lines._insert([tuple(f"{c}-{uuid.uuid4().hex[:6]}" for c in AuditLines.COLUMNS)])
    lines._drop_connection()
    # as many open transactions as the pooler has server connections: together they hold every
    # one of them, the writer's included; none inherits the writer's 5 s statement timeout
    others = make_engine(through, pool_size=SERVER_POOL, max_overflow=0)
    conns = [others.connect() for _ in range(SERVER_POOL)]
    try:
        timeouts = {c.execute(text("SHOW statement_timeout")).scalar_one() for c in conns}
        for c in conns:
            c.rollback()
    finally:
        for c in conns:
            c.close()
    assert timeouts == {"0"}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM gateway.audit_log")).scalar_one() == 1
    others.dispose()
    engine.dispose()
