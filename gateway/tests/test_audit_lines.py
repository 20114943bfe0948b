"""Audit lines of concurrent requests are committed together, and each request returns only once
its own line is committed; a failed commit is raised in every request whose line it held."""
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


def test_a_failed_commit_is_raised_in_every_request_of_its_batch(gateway_db):
    lines = AuditLines(gateway_db)
    writer = eventlet.spawn(lines.run)
    outcomes = []

    def request(n):
        try:
            lines.write(line(n, status="not a number"))  # the column is an integer: the INSERT fails
            outcomes.append("written")
        except Exception as exc:
            outcomes.append(type(exc).__name__)

    pool = eventlet.GreenPool(5)
    for n in range(100, 105):
        pool.spawn(request, n)
    pool.waitall()
    lines.stop()
    writer.wait()
    assert len(outcomes) == 5 and "written" not in outcomes
    assert committed(gateway_db, [f"audit-lines-{n}" for n in range(100, 105)]) == 0
