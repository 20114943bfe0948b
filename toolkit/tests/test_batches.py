"""BatchConsumer against the real RabbitMQ: batches of at most batch_size, each message handled
once and acknowledged, including those prefetched for the next batch."""
import threading
import time

import pytest
from kombu import Connection, Exchange, Producer

from toolkit.batches import BatchConsumer

pytestmark = pytest.mark.integration


def test_a_batch_consumer_handles_each_message_once_in_batches_and_leaves_none_unacknowledged(amqp):
    batches = []
    consumer = BatchConsumer("toolkit_probe", "probe_batched", lambda store, events: batches.append(events),
                             batch_size=3, gather=0.05)
    consumer.container = type("Container", (), {"service_name": "probe", "config": {"AMQP_URI": amqp}})()
    consumer._store = lambda: None
    consumer.setup()
    with Connection(amqp) as conn:
        consumer.queue(conn.default_channel).purge()
        producer = Producer(conn.default_channel, exchange=Exchange("toolkit_probe.events", type="topic"))
        for n in range(10):  # 10 = three full batches and one of 1; 6 prefetched at a time
            producer.publish({"n": n}, routing_key="probe_batched", serializer="json")

    consumer.running = True
    worker = threading.Thread(target=consumer._consume, daemon=True)
    worker.start()
    deadline = time.time() + 15
    while consumer.handled < 10 and time.time() < deadline:
        time.sleep(0.05)
    consumer.running = False
    worker.join(5)

    assert sorted(e["n"] for batch in batches for e in batch) == list(range(10))
    assert max(len(batch) for batch in batches) == 3
    with Connection(amqp) as conn:  # every delivery acknowledged: nothing went back to the queue
        _, ready, unacked = consumer.queue(conn.default_channel).queue_declare(passive=True)
        assert ready == 0
        consumer.queue(conn.default_channel).delete()
