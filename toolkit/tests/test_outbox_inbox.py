"""The outbox relay and the inbox against the real PostgreSQL and RabbitMQ."""
import socket
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from kombu import Connection
from sqlalchemy import MetaData, text

from toolkit.db import Store
from toolkit.inbox import first_time
from toolkit.listen import queue_for
from toolkit.outbox import Relay, RelayLoop
from toolkit.tables import inbox_table, outbox_table

pytestmark = pytest.mark.integration
SERVICE = "toolkit_probe"  # a schema and exchange of its own, so no service is disturbed


@pytest.fixture
def store(database_url, amqp):
    metadata = MetaData(schema=SERVICE)
    outbox_table(metadata)
    inbox_table(metadata)
    s = Store(SERVICE, metadata, url=database_url, amqp=amqp)
    with s.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SERVICE} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SERVICE}"))
    metadata.create_all(s.engine)
    yield s
    s.dispose()


@pytest.fixture
def consumer(amqp):
    """A plain kombu consumer on the probe's exchange, bound before anything is published."""
    with Connection(amqp) as conn:
        queue = queue_for(SERVICE)(conn.channel())
        queue.declare()
        received = []

        def drain(expected, timeout=10):
            def on(body, message):
                received.append(body)
                message.ack()
            with conn.Consumer(queue, callbacks=[on], accept=["json"]):
                while len(received) < expected:
                    conn.drain_events(timeout=timeout)
            return received
        yield drain


def emit(store, n, fail=False):
    with store.unit_of_work() as uow:
        for i in range(n):
            uow.emit("probe_happened", {"district_code": "410106", "street_code": None, "community_code": None}, n=i)
        if fail:
            raise RuntimeError("the business transaction failed")


def test_events_of_a_committed_transaction_reach_a_plain_consumer(store, consumer):
    emit(store, 1200)  # more than two relay batches
    relay = store.relay_loop.relay
    assert relay.drain() == 1200
    got = consumer(1200)
    assert sorted(e["n"] for e in got) == list(range(1200))
    first = got[0]
    assert first["event_type"] == "probe_happened" and first["occurred_at"].endswith("+08:00")
    assert relay.pending() == 0


def test_rows_another_relay_holds_are_skipped_and_the_rest_go_in_order(store, consumer):
    # two replicas of a service share the outbox: the rows one of them has claimed (locked) are
    # left to it, the others are published in the order they were written
    emit(store, 10)
    relay = store.relay_loop.relay
    with store.engine.connect() as other:
        with other.begin():
            held = other.execute(text(f"SELECT id FROM {SERVICE}.outbox ORDER BY id LIMIT 3 FOR UPDATE")).all()
            assert relay.drain() == 7
            assert [e["n"] for e in consumer(7)] == list(range(3, 10))
    assert len(held) == 3 and relay.pending() == 3
    assert relay.drain() == 3


def test_a_rolled_back_transaction_publishes_nothing(store):
    with pytest.raises(RuntimeError):
        emit(store, 3, fail=True)
    assert store.relay_loop.relay.pending() == 0


def test_a_broker_outage_delays_events_and_loses_none(store, consumer, database_url, amqp):
    emit(store, 50)
    cut_off = Store(SERVICE, store.metadata, url=database_url, amqp="amqp://guest:guest@127.0.0.1:1//")
    with pytest.raises(Exception):
        cut_off.relay_loop.relay.publish_pending()
    cut_off.dispose()
    assert store.relay_loop.relay.pending() == 50  # nothing marked sent while unpublished
    assert store.relay_loop.relay.drain() == 50
    assert len(consumer(50)) == 50


class SilentProxy:
    """A TCP proxy to the broker that can fall silent: it keeps every socket open but stops
    passing bytes, as a broker does under a resource alarm or a half-open connection does."""

    def __init__(self, amqp):
        parts = urlsplit(amqp)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5672)
        self.listener = socket.create_server(("127.0.0.1", 0))
        port = self.listener.getsockname()[1]
        netloc = f"{parts.username or 'guest'}:{parts.password or 'guest'}@127.0.0.1:{port}"
        self.uri = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        self.silent = threading.Event()
        self.sockets = [self.listener]
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                self.threads.append(threading.Thread(target=self._pipe, args=(a, b), daemon=True))
                self.threads[-1].start()

    def _pipe(self, source, sink):
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            while self.silent.is_set():  # hold the bytes, close nothing
                time.sleep(0.05)
            try:
                sink.sendall(data)
            except OSError:
                return

    def close(self):
        # wake every thread blocked on a socket and wait for it, before any descriptor is freed
        # for reuse (eventlet refuses two readers of one descriptor)
        self.silent.clear()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self.threads:
            t.join(5)
        for s in self.sockets:
            s.close()


@pytest.fixture
def proxy(amqp):
    p = SilentProxy(amqp)
    yield p
    p.close()


def test_a_broker_that_falls_silent_costs_a_timeout_not_a_stuck_relay(store, consumer, proxy):
    relay = Relay(store.engine, store.outbox, SERVICE, proxy.uri, confirm_timeout=1)
    emit(store, 2)
    assert relay.publish_pending() == 2  # connected through the proxy and confirmed
    proxy.silent.set()
    emit(store, 3)
    outcome = []

    def publish():
        try:
            outcome.append(relay.publish_pending())
        except Exception as exc:
            outcome.append(exc)
    worker = threading.Thread(target=publish, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(15)
    assert not worker.is_alive(), "the relay hung on a silent broker (and kept its rows locked)"
    assert isinstance(outcome[0], Exception) and time.monotonic() - started < 10
    # its transaction is over: the rows are not held, and another relay could take them now
    with store.engine.begin() as conn:
        free = conn.execute(text(f"select count(*) from (select id from {SERVICE}.outbox where sent_at is null "
                                 "for update skip locked) t")).scalar()
    assert free == 3
    # the same relay, once the broker speaks again, sends them on a new connection; the
    # confirms it waited for on the old one are forgotten, not awaited for ever
    proxy.silent.clear()
    assert relay.publish_pending() == 3
    assert relay.pending() == 0
    # every event arrives; some of the silent batch may arrive twice (at least once: consumers dedupe)
    with store.engine.connect() as conn:
        sent = {str(i) for i in conn.execute(text(f"select event_id from {SERVICE}.outbox")).scalars()}
    received = consumer(5)
    while not sent <= {e["event_id"] for e in received}:
        received = consumer(len(received) + 1, timeout=5)
    relay.close()


def test_a_relay_cannot_even_connect_to_a_silent_broker_in_more_than_its_timeout(store, proxy):
    proxy.silent.set()
    relay = Relay(store.engine, store.outbox, SERVICE, proxy.uri, confirm_timeout=1, connect_timeout=1)
    emit(store, 1)
    started = time.monotonic()
    with pytest.raises(Exception):
        relay.publish_pending()
    assert time.monotonic() - started < 5 and relay._connection is None
    assert relay.pending() == 1


def test_stopping_the_relay_while_it_waits_for_confirms_marks_nothing_sent(store, proxy):
    # the stop path: the loop ends, and the batch it was waiting on stays to send. (The race this
    # guards, a confirm frame arriving after another thread closed the relay, cannot be staged
    # here: the silent broker sends none. RelayLoop.stop no longer closes from under the loop.)
    relay = Relay(store.engine, store.outbox, SERVICE, proxy.uri, confirm_timeout=2)
    loop = RelayLoop(relay, poll_interval=0.1)
    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    emit(store, 2)
    loop.notify()
    deadline = time.time() + 10
    while relay.published < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert relay.published == 2
    proxy.silent.set()  # the next batch's confirms will not come back
    emit(store, 3)
    loop.notify()
    time.sleep(0.5)     # the loop is now waiting for them
    loop.stop()         # the service stopping, from another thread
    runner.join(10)
    assert not runner.is_alive()
    assert relay.pending() == 3  # unconfirmed, so still to send


def test_the_inbox_handles_an_event_once(store):
    inbox = store.metadata.tables[f"{SERVICE}.inbox"]
    event = {"event_id": str(uuid.uuid4()), "event_type": "probe_happened"}
    with store.unit_of_work() as uow:
        assert first_time(uow.conn, inbox, event)
    with store.unit_of_work() as uow:
        assert not first_time(uow.conn, inbox, event)  # redelivered: skip


def test_an_inbox_record_rolls_back_with_its_effect(store):
    inbox = store.metadata.tables[f"{SERVICE}.inbox"]
    event = {"event_id": str(uuid.uuid4()), "event_type": "probe_happened"}
    with pytest.raises(RuntimeError):
        with store.unit_of_work() as uow:
            assert first_time(uow.conn, inbox, event)
            raise RuntimeError("the effect failed")
    with store.unit_of_work() as uow:
        assert first_time(uow.conn, inbox, event)  # so the redelivery does the work


def test_a_batch_records_only_the_events_it_has_not_seen(store):
    from toolkit.inbox import first_times
    inbox = store.metadata.tables[f"{SERVICE}.inbox"]
    seen, new = ({"event_id": str(uuid.uuid4()), "event_type": "probe_happened"} for _ in range(2))
    with store.unit_of_work() as uow:
        assert first_time(uow.conn, inbox, seen)
    with store.unit_of_work() as uow:
        assert first_times(uow.conn, inbox, [seen, new], "probe") == {new["event_id"]}
    with store.unit_of_work() as uow:
        assert first_times(uow.conn, inbox, [seen, new], "probe") == set()
