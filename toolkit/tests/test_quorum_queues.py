"""With AMQP_QUEUE_TYPE=quorum every durable queue the platform declares is a quorum queue
(replicated on a cluster's nodes), events still flow, dead letters still go aside, and what the
broker itself dead-letters lands in the same `.dead` queue (toolkit/queues.py). On the local broker,
in a vhost of the test's own."""
import shutil
import subprocess
import time
import uuid

import pytest
from kombu import Connection, Exchange, Queue
from nameko.rpc import rpc
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcProxy

from toolkit import deadletters, queues
from toolkit.deadletters import event_handler

pytestmark = pytest.mark.integration
VHOST = "sbd_quorum_test"
SOURCE = "toolkit_qq_source"


class Replicated:
    name = "toolkit_qq_consumer"
    handled, tried = [], {}

    @event_handler(SOURCE, "thing_happened")
    def on_thing(self, event):
        Replicated.tried[event["n"]] = Replicated.tried.get(event["n"], 0) + 1
        if event.get("poisoned"):
            raise ValueError("cannot")
        Replicated.handled.append(event["n"])

    @rpc
    def ping(self):
        return "pong"


def _ctl(*args):
    return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def vhost_uri(amqp):
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is needed to make the test's own vhost")
    _ctl("delete_vhost", VHOST) if VHOST in _ctl("list_vhosts", "name").split() else None
    _ctl("add_vhost", VHOST)
    user = Connection(amqp).as_uri(include_password=False).split("//")[1].split(":")[0].split("@")[0]
    _ctl("set_permissions", "-p", VHOST, user, ".*", ".*", ".*")
    base = amqp.rsplit("/", 1)[0]
    yield f"{base}/{VHOST}"
    _ctl("delete_vhost", VHOST)


def _kinds():
    rows = [line.split("\t") for line in _ctl("list_queues", "-p", VHOST, "name", "type").splitlines() if line]
    return {name: kind for name, kind in rows}


def _publish(conn, n, **extra):
    conn.Producer().publish({"event_id": str(uuid.uuid4()), "event_type": "thing_happened", "n": n, **extra},
                            exchange=Exchange(f"{SOURCE}.events", type="topic", durable=True),
                            routing_key="thing_happened", serializer="json", delivery_mode=2)


def _wait(condition, seconds=20):
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.05)
    return condition()


def test_the_platforms_queues_are_quorum_queues_when_asked(vhost_uri, monkeypatch):
    monkeypatch.setenv("AMQP_QUEUE_TYPE", "quorum")
    monkeypatch.setattr(deadletters, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(deadletters, "RETRY_PAUSE", 0.02)
    queue = f"evt-{SOURCE}-thing_happened--{Replicated.name}.on_thing"
    runner = ServiceRunner({"AMQP_URI": vhost_uri})
    runner.add_service(Replicated)
    runner.start()
    try:
        with ClusterRpcProxy({"AMQP_URI": vhost_uri}) as cluster:
            assert cluster.toolkit_qq_consumer.ping() == "pong"
            kinds = _kinds()
        assert kinds[queue] == "quorum"
        assert kinds[queue + ".dead"] == "quorum"
        assert kinds[f"rpc-{Replicated.name}"] == "quorum"
        # the caller's reply queue is transient: classic, as it must be
        assert {kind for name, kind in kinds.items() if name.startswith("rpc.reply")} == {"classic"}

        with Connection(vhost_uri) as conn:
            _publish(conn, 1)
            _publish(conn, 2, poisoned=True)
            _publish(conn, 3)
        assert _wait(lambda: sorted(Replicated.handled) == [1, 3] and Replicated.tried.get(2) == 2)
    finally:
        runner.stop()

    with Connection(vhost_uri) as conn:
        dead = queues.dead_queue(queue)(conn.channel())
        assert _wait(lambda: dead.queue_declare(passive=True).message_count == 1)
        # a message the broker dead-letters itself (a consumer refuses it; on RabbitMQ 4, one
        # redelivered past the quorum queue's delivery limit) reaches the same queue, not the void
        _publish(conn, 4)
        source = Queue(queue, queue_arguments=queues.arguments(queue))(conn.channel())
        assert _wait(lambda: source.queue_declare(passive=True).message_count == 1)
        source.get(no_ack=False).reject(requeue=False)
        assert _wait(lambda: dead.queue_declare(passive=True).message_count == 2)


def test_an_unknown_queue_kind_is_refused(monkeypatch):
    monkeypatch.setenv("AMQP_QUEUE_TYPE", "quorun")
    with pytest.raises(ValueError, match="AMQP_QUEUE_TYPE"):
        queues.arguments("evt-x")
    monkeypatch.setenv("AMQP_QUEUE_TYPE", "classic")
    assert queues.arguments("evt-x") == {}
