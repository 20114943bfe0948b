"""The gateway's own database role (migration 0002): the audit log is append-only by privilege.

Connected as `sbd_gateway`, as the gateway and its command line are, an audit line can be added
and read, but UPDATE, DELETE and TRUNCATE are refused with permission denied (42501) before the
trigger of 0001 is asked, and the trigger cannot be dropped or disabled; and the gateway's work
on accounts and sessions, signing in to revocation, still goes through."""
import uuid

import psycopg2
import psycopg2.errors
import pytest
from sqlalchemy import text

from gateway import accounts as acc
from gateway.dbrole import ROLE, role_url
from gateway.service import AuditLines
from toolkit.db import make_engine

pytestmark = pytest.mark.integration
PASSWORD = "Role-test-2026"


@pytest.fixture(scope="module")
def role_db(gateway_db, database_url):
    engine = make_engine(role_url(database_url), pool_size=2, max_overflow=2)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar() == ROLE
    yield engine
    engine.dispose()


@pytest.fixture
def raw(role_db):
    """A plain psycopg2 connection as the role (the error classes, one statement each)."""
    args, kwargs = role_db.dialect.create_connect_args(role_db.url)
    conn = psycopg2.connect(*args, **kwargs)
    conn.autocommit = True
    yield conn.cursor()
    conn.close()


def audit_line(cursor, request_id):
    cursor.execute("INSERT INTO gateway.audit_log (action, method, path, status, request_id) "
                   "VALUES ('probe', 'GET', '/probe', 200, %s) RETURNING id", (request_id,))
    return cursor.fetchone()[0]


def test_the_role_adds_and_reads_audit_lines_and_cannot_edit_them(raw, gateway_db):
    request_id = f"role-{uuid.uuid4().hex[:12]}"
    line = audit_line(raw, request_id)
    raw.execute("SELECT status FROM gateway.audit_log WHERE id = %s", (line,))
    assert raw.fetchone() == (200,)
    refused = {
        "UPDATE gateway.audit_log SET status = 500 WHERE id = %(id)s",
        "DELETE FROM gateway.audit_log WHERE id = %(id)s",
        "TRUNCATE gateway.audit_log",
        # nor may it take the trigger away, or the table
        "DROP TRIGGER audit_log_append_only ON gateway.audit_log",
        "ALTER TABLE gateway.audit_log DISABLE TRIGGER audit_log_append_only",
        "DROP TABLE gateway.audit_log",
        # nor the migrations' record
        "DELETE FROM gateway.alembic_version",
    }
    for sql in sorted(refused):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege) as denied:
            raw.execute(sql, {"id": line})
        assert denied.value.pgcode == "42501", sql
    # granting itself more grants nothing (PostgreSQL warns: it holds no grant option)
    raw.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON gateway.audit_log TO {ROLE}")
    raw.execute("SELECT has_table_privilege('gateway.audit_log', 'UPDATE') OR has_table_privilege('gateway.audit_log', "
                "'DELETE') OR has_table_privilege('gateway.audit_log', 'TRUNCATE')")
    assert raw.fetchone() == (False,)
    # and a sequence is nextval only: it cannot be set back to overwrite ids
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        raw.execute("SELECT setval('gateway.audit_log_id_seq', 1)")
    with gateway_db.connect() as conn:  # the owner sees the line as written
        assert conn.execute(text("SELECT status, request_id FROM gateway.audit_log WHERE id = :i"),
                            {"i": line}).one() == (200, request_id)


def test_the_role_owns_nothing_and_holds_exactly_its_grants(gateway_db):
    with gateway_db.connect() as conn:
        attributes = conn.execute(text(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, rolinherit, rolcanlogin "
            "FROM pg_roles WHERE rolname = :r"), {"r": ROLE}).one()
        assert tuple(attributes) == (False, False, False, False, False, False, True)
        member_of = conn.execute(text("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                                      "WHERE r.rolname = :r"), {"r": ROLE}).scalar()
        assert member_of == 0
        owned = conn.execute(text(
            "SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid) + (SELECT count(*) FROM pg_namespace "
            "WHERE nspowner = r.oid) + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid) "
            "FROM pg_roles r WHERE r.rolname = :r"), {"r": ROLE}).scalar()
        assert owned == 0
        tables = conn.execute(text(
            "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) "
            "FROM information_schema.role_table_grants WHERE grantee = :r AND table_schema = 'gateway' "
            "GROUP BY table_name"), {"r": ROLE}).all()
        assert dict(tables) == {"accounts": "INSERT,SELECT,UPDATE", "sessions": "INSERT,SELECT,UPDATE",
                                "audit_log": "INSERT,SELECT"}
        sequences = conn.execute(text(
            "SELECT c.relname, has_sequence_privilege(:r, c.oid, 'USAGE'), has_sequence_privilege(:r, c.oid, 'UPDATE') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'gateway' AND c.relkind = 'S'"), {"r": ROLE}).all()
        assert {(name, usage, update) for name, usage, update in sequences} == {
            ("accounts_id_seq", True, False), ("audit_log_id_seq", True, False)}
        assert conn.execute(text("SELECT has_schema_privilege(:r, 'gateway', 'CREATE')"), {"r": ROLE}).scalar() is False


def test_the_role_does_the_gateways_work_on_accounts_and_sessions(role_db, monkeypatch):
    """What gateway/accounts.py, admin.py and cli.py do, as the role: make an account (in a
    savepoint, as the import does), sign in, refresh, fail a password, change it, revoke, disable."""
    monkeypatch.setenv("GATEWAY_JWT_SECRET", "a-secret-of-the-role-test-" + uuid.uuid4().hex)
    settings = acc.Settings()
    name = f"role.{uuid.uuid4().hex[:10]}"
    with role_db.begin() as conn:
        with conn.begin_nested():
            made = acc.create_account(conn, name, "角色测试", "community_staff", "410106001001", PASSWORD)
    tokens, caller = acc.login(role_db, settings, name, PASSWORD, "127.0.0.1", "pytest")
    assert caller.account_id == made["id"]
    with pytest.raises(Exception):
        acc.login(role_db, settings, name, "Wrong-pass-2026")  # counted: an UPDATE of the account
    again, _ = acc.refresh(role_db, settings, tokens["refresh_token"])  # FOR UPDATE of the session
    with pytest.raises(Exception):
        acc.refresh(role_db, settings, tokens["refresh_token"])  # a replaced token: the session ends
    second, _ = acc.login(role_db, settings, name, PASSWORD)
    with role_db.begin() as conn:
        ended = acc.change_password(conn, caller, PASSWORD, PASSWORD + "x")
        assert ended  # the second session
        acc.set_account_state(conn, made["id"], disabled=True)
        acc.set_account_state(conn, made["id"], disabled=False, unlock=True)
        assert acc.revoke_sessions(conn, "revoked_by_admin", account_id=made["id"]) == []
        since = acc.now().replace(year=2000)
        assert set(ended) <= acc.revoked_since(conn, since)


def test_the_gateways_audit_writers_work_as_the_role(role_db):
    """The group commit (its own connection in autocommit, SET statement_timeout) and the durable
    line of a read of personal data (SET LOCAL synchronous_commit), as Gate.audit writes them."""
    import eventlet
    from sqlalchemy import insert
    from gateway.models import audit_log
    lines = AuditLines(role_db)
    writer = eventlet.spawn(lines.run)
    request_id = f"role-lines-{uuid.uuid4().hex[:8]}"
    lines.write({"account_id": None, "username": "probe", "role": None, "scope": None, "action": "probe",
                 "method": "POST", "path": "/probe", "status": 201, "personal_data": False, "personal_fields": [],
                 "subjects": [], "client_ip": "127.0.0.1", "request_id": request_id})
    lines.stop()
    writer.wait()
    with role_db.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit = on"))
        conn.execute(insert(audit_log).values(action="member_profile", method="GET", path="/probe", status=200,
                                              personal_data=True, personal_fields=["phone"], subjects=["role-test:0"],
                                              request_id=request_id))
    with role_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM gateway.audit_log WHERE request_id = :r"),
                            {"r": request_id}).scalar() == 2
