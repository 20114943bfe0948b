"""examples/subscriber.py, the file a city system copies, against the real platform: it receives
a real event, and after the broker goes away and comes back it receives the next one (the events
published meanwhile wait in its durable queue)."""
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from registration.city import sample_report

pytestmark = pytest.mark.e2e
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "subscriber.py"


def read_until(proc, wanted, seconds=60):
    """Lines of the process's stdout until `wanted(line)` (or the time is up)."""
    deadline = time.time() + seconds
    lines = []
    os.set_blocking(proc.stdout.fileno(), False)
    while time.time() < deadline:
        line = proc.stdout.readline()
        if line:
            lines.append(line)
            if wanted(line):
                return lines
        else:
            time.sleep(0.1)
    raise AssertionError(f"not received in {seconds}s; got {lines}")


def report(platform, city):
    community = city.communities[2]["code"]
    staff = platform.as_("community_staff", community)
    unit = next(u["id"] for u in city.units if u["community_code"] == community)
    body = sample_report(community, unit, seed=uuid.uuid4().int % 10**9)
    body.pop("community_code")
    r = staff.post(f"/communities/{community}/member-registrations", body)
    assert r.status_code == 201, r.text
    return r.json()["certificate_no"]


def test_the_example_subscriber_receives_real_events_across_a_broker_outage(platform, city):
    queue = f"example-city-system.{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPATH",))}
    env["AMQP_URI"] = platform.broker.uri
    proc = subprocess.Popen([sys.executable, str(EXAMPLE), "registration", "member_reported", "--queue", queue],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd="/")
    try:
        deadline = time.time() + 30
        while "ready" not in (proc.stderr.readline() or "") and time.time() < deadline:
            assert proc.poll() is None, proc.stderr.read()
        first = report(platform, city)
        got = read_until(proc, lambda line: first in line)
        event = json.loads(got[-1])
        assert event["event_type"] == "member_reported" and event["certificate_no"] == first

        platform.broker.stop()          # the broker away: the subscriber's connection drops
        time.sleep(2)
        platform.broker.start()
        second = report(platform, city)  # published once the platform is back; waits in the queue if need be
        got = read_until(proc, lambda line: second in line, seconds=90)
        assert json.loads(got[-1])["certificate_no"] == second
        assert proc.poll() is None      # it reconnected by itself ...
    finally:
        proc.kill()
        proc.wait(10)
        from kombu import Connection, Queue
        with Connection(platform.broker.uri) as conn:
            Queue(queue)(conn.channel()).delete()
    # ... and said so: its first "ready" was read above, this one came after the outage
    assert proc.stderr.read().count("ready") >= 1
