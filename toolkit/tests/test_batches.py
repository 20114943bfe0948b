"""BatchConsumer against the real RabbitMQ: batches of at most batch_size, each message handled
once and acknowledged, including those prefetched for the next batch; a batch whose handler
fails comes back and is handled again."""
import threading
import time

import pytest
from kombu import Connection, Exchange, Producer

from toolkit.batches import BatchConsumer

pytestmark = pytest.mark.integration


def consumer_of(amqp, handler):
    consumer = BatchConsumer("toolkit_probe", "probe_batched", handler, batch_size=3, gather=0.05)
    consumer.container = type("Container", (), {"service_name": "probe", "config": {"AMQP_URI": amqp}})()
    consumer._store = lambda: None
    consumer.setup()
    with Connection(amqp) as conn:
        consumer.queue(conn.default_channel).purge()
        producer = Producer(conn.default_channel, exchange=Exchange("toolkit_probe.events", type="topic"))
        for n in range(10):  # 10 = three full batches and one of 1; 6 prefetched at a time
            producer.publish({"n": n}, routing_key="probe_batched", serializer="json")
    return consumer


def run_until(consumer, handled, seconds=15):
    consumer.running = True
    worker = threading.Thread(target=consumer._run, daemon=True)
    worker.start()
    deadline = time.time() + seconds
    while consumer.handled < handled and time.time() < deadline:
        time.sleep(0.05)
    consumer.running = False
    worker.join(5)  # its connection closed: the broker puts back whatever it still holds unacknowledged


def test_a_batch_consumer_handles_each_message_once_in_batches_and_acknowledges_them(amqp):
    batches = []
    consumer = consumer_of(amqp, lambda store, events: batches.append(events))
    run_until(consumer, 10)
    assert sorted(e["n"] for batch in batches for e in batch) == list(range(10))
    assert max(len(batch) for batch in batches) == 3
    with Connection(amqp) as conn:  # every delivery acknowledged: nothing went back to the queue
        time.sleep(0.5)
        _, ready, _ = consumer.queue(conn.default_channel).queue_declare(passive=True)
        consumer.queue(conn.default_channel).delete()
    assert ready == 0


def test_a_batch_whose_handler_fails_is_handled_again_and_nothing_is_lost(amqp):
    batches, failed = [], []

    def handler(store, events):
        if not failed:
            failed.append([e["n"] for e in events])
            raise RuntimeError("the database went away")
        batches.append([e["n"] for e in events])
    consumer = consumer_of(amqp, handler)
    run_until(consumer, 10)
    assert failed and sorted(n for batch in batches for n in batch) == list(range(10))
    with Connection(amqp) as conn:
        time.sleep(0.5)
        _, ready, _ = consumer.queue(conn.default_channel).queue_declare(passive=True)
        consumer.queue(conn.default_channel).delete()
    assert ready == 0


def test_a_later_batch_that_fails_while_an_earlier_one_is_in_flight_loses_nothing(amqp):
    # the second batch fails; the first was handled and must stay acknowledged (not redelivered)
    seen, calls = [], []

    def handler(store, events):
        calls.append([e["n"] for e in events])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        seen.extend(e["n"] for e in events)
    consumer = consumer_of(amqp, handler)
    run_until(consumer, 10)
    assert sorted(seen) == list(range(10))
    assert calls[0] == seen[:3] and len(set(calls[0]) & set(seen[3:])) == 0  # the first batch came once
    with Connection(amqp) as conn:
        time.sleep(0.5)
        _, ready, _ = consumer.queue(conn.default_channel).queue_declare(passive=True)
        consumer.queue(conn.default_channel).delete()
    assert ready == 0
