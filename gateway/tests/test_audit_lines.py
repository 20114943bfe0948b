"""Audit lines of concurrent requests are committed together, and each request returns only once
its own line is committed; a line the database refuses fails its own request only."""
import eventlet
import pytest
from sqlalchemy import text

from gateway.service import AuditLines

pytestmark = pytest.mark.integration


def line(n, **extra):
    return {"account_id": None, "username": "probe", "role": None, "scope": None, "action": "probe", "method": "POST", "path": f"/probe/{n}", "status": 201, "personal_data": False,
            "personal_fields": [], "subjects": [], "client_ip": "127.0.0.1", "request_id": f"audit-lines-{n}", **extra}


def committed(engine, request_ids):
    with engine.connect() as conn:  # another connection: sees committed lines only
        return conn.execute(text("SELECT count(*) FROM gateway.audit_log WHERE request_id = ANY(:r)"),
                            {"r": list(request_ids)}).scalar()


def test_each_request_returns_once_its_line_is_committed(gateway_db):
    lines = AuditLines(gateway_db)
    writer = eventlet.spawn(lines.run)
    seen_on_return, commits = [], []

    insert = lines._insert

    def counting(batch):  # how many commits carried the 60 lines
        commits.append(len(batch))
        insert(batch)
    lines._insert = counting

    def request(n):
        lines.write(line(n))
        seen_on_return.append(committed(gateway_db, [f"audit-lines-{n}"]))

    pool = eventlet.GreenPool(60)
    for n in range(60):
        pool.spawn(request, n)
    pool.waitall()
    lines.stop()
    writer.wait()
    assert seen_on_return == [1] * 60
    assert committed(gateway_db, [f"audit-lines-{n}" for n in range(60)]) == 60
    assert sum(commits) == 60 and len(commits) < 60  # together, not one commit each


def test_a_line_that_cannot_be_stored_costs_no_other_line_of_its_batch(gateway_db):
    lines = AuditLines(gateway_db)
    writer = eventlet.spawn(lines.run)
    outcomes = {}

    def request(n, **bad):
        try:
            lines.write(line(n, **bad))
            outcomes[n] = "written"
        except Exception as exc:
            outcomes[n] = type(exc).__name__

    pool = eventlet.GreenPool(10)
    for n in range(100, 110):
        # one line the database refuses, one with a NUL in its path (a probe refused before login)
        bad = {"status": "not a number"} if n == 103 else {"path": "/api/v1/communities/\x00/x"} if n == 105 else {}
        pool.spawn(request, n, **bad)
    pool.waitall()
    lines.stop()
    writer.wait()
    assert outcomes.pop(103) != "written" and set(outcomes.values()) == {"written"}
    assert committed(gateway_db, [f"audit-lines-{n}" for n in range(100, 110)]) == 9
    with gateway_db.connect() as conn:
        path = conn.execute(text("SELECT path FROM gateway.audit_log WHERE request_id = 'audit-lines-105'")).scalar()
    assert path == "/api/v1/communities/\\x00/x"
