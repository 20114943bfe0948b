"""An event a handler fails on again and again goes, after its tries, to a dead-letter queue, while
the good events behind it go through; it is counted, listed and replayed (toolkit.deadletters)."""
import io
import json
import time
import uuid

import pytest
from kombu import Connection, Exchange, Queue
from nameko.runners import ServiceRunner
from prometheus_client import REGISTRY

from toolkit import deadletters
from toolkit.deadletters import event_handler

pytestmark = pytest.mark.integration
SOURCE = "toolkit_dl_source"


class Picky:
    name = "toolkit_dl_consumer"
    handled, tried = [], {}
    broken = True   # until the fix: the poisoned event makes the handler raise

    @event_handler(SOURCE, "thing_happened")
    def on_thing(self, event):
        Picky.tried[event["n"]] = Picky.tried.get(event["n"], 0) + 1
        if event.get("poisoned") and Picky.broken:
            raise ValueError(f"cannot handle thing {event['n']}")
        Picky.handled.append(event["n"])


def publish(conn, n, **extra):
    conn.Producer().publish({"event_id": str(uuid.uuid4()), "event_type": "thing_happened", "n": n, **extra},
                            exchange=Exchange(f"{SOURCE}.events", type="topic", durable=True),
                            routing_key="thing_happened", serializer="json", delivery_mode=2)


def wait(condition, seconds=20):
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.05)
    return condition()


def test_a_poisoned_event_is_tried_a_bounded_number_of_times_then_kept_aside_and_replayed(amqp, monkeypatch):
    monkeypatch.setattr(deadletters, "MAX_ATTEMPTS", 3)
    monkeypatch.setattr(deadletters, "RETRY_PAUSE", 0.02)
    queue = f"evt-{SOURCE}-thing_happened--{Picky.name}.on_thing"
    dead = queue + ".dead"
    with Connection(amqp) as conn:   # left from an earlier run: gone
        for name in (queue, dead):
            Queue(name)(conn.channel()).delete()
    runner = ServiceRunner({"AMQP_URI": amqp})
    runner.add_service(Picky)
    runner.start()
    try:
        with Connection(amqp) as conn:
            publish(conn, 1)
            publish(conn, 2, poisoned=True)
            for n in range(3, 11):
                publish(conn, n)
        # the good events behind the poisoned one all go through; the poisoned one is tried 3 times
        assert wait(lambda: set(Picky.handled) == {1, *range(3, 11)} and Picky.tried.get(2) == 3)
        time.sleep(0.5)
        assert Picky.tried[2] == 3 and 2 not in Picky.handled
        counted = REGISTRY.get_sample_value("sbd_dead_letters_total", {"service": Picky.name, "queue": queue})
        assert counted == 1

        listing = io.StringIO()
        deadletters.list_dead(amqp, [dead], out=listing)
        lines = listing.getvalue().splitlines()
        assert lines[0] == f"{dead}: 1"
        kept = json.loads(lines[1])
        assert (kept["event_type"], kept["attempts"], kept["queue"]) == ("thing_happened", 3, queue)
        assert "ValueError: cannot handle thing 2" in kept["error"]
        again = io.StringIO()
        deadletters.list_dead(amqp, [dead], out=again)   # listing takes nothing away
        assert again.getvalue().splitlines()[0] == f"{dead}: 1"

        Picky.broken = False   # the handler is mended; the dead letter goes back and is handled
        assert deadletters.replay(amqp, dead, out=io.StringIO()) == 1
        assert wait(lambda: 2 in Picky.handled)
        empty = io.StringIO()
        deadletters.list_dead(amqp, [dead], out=empty)
        assert empty.getvalue().splitlines() == [f"{dead}: 0"]
    finally:
        runner.stop()
        with Connection(amqp) as conn:
            for name in (queue, dead):
                Queue(name)(conn.channel()).delete()
