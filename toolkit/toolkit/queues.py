"""The kind of the platform's durable queues: classic on one broker, quorum on a cluster.

nameko declares classic queues, which live on one broker node: if that node goes down, so do its
queues and the events in them. With AMQP_QUEUE_TYPE=quorum (deploy/k8s/config.yaml) every durable
queue the platform declares — each event handler's, each RPC service's, the batch consumers' and
the dead-letter queues — is a quorum queue, replicated on the cluster's nodes (Raft) and there
as long as a majority of them is. A queue's kind is fixed when it is declared: switching an
existing vhost means draining and deleting its queues first (docs/operations/queues.md).

On a quorum queue the broker itself counts deliveries; one redelivered past the queue's limit
(RabbitMQ 4's default is 20) goes to the queue's dead-letter queue (`<queue>.dead`, where
toolkit.deadletters lists and replays it), not into the void.
"""
from kombu import Connection, Queue

from .config import env

KINDS = ("classic", "quorum")
DEAD_SUFFIX = ".dead"


def queue_type():
    kind = env("AMQP_QUEUE_TYPE", "classic").strip().lower()
    if kind not in KINDS:
        raise ValueError(f"AMQP_QUEUE_TYPE={kind!r}: expected one of {', '.join(KINDS)}")
    return kind


def arguments(name):
    """The declare arguments of the durable queue `name` (none for a classic queue: nameko's own)."""
    if queue_type() != "quorum":
        return {}
    args = {"x-queue-type": "quorum"}
    if not name.endswith(DEAD_SUFFIX):
        args.update({"x-dead-letter-exchange": "", "x-dead-letter-routing-key": name + DEAD_SUFFIX})
    return args


def dead_queue(name):
    name = name if name.endswith(DEAD_SUFFIX) else name + DEAD_SUFFIX
    return Queue(name, durable=True, auto_delete=False, queue_arguments=arguments(name))


def prepare(queue, amqp_uri):
    """Give a durable queue (not yet declared) its kind's arguments; on quorum, declare its
    dead-letter queue now: the broker drops what it dead-letters to a queue that does not exist."""
    if not queue.durable or queue.exclusive or queue.auto_delete:
        return queue   # a reply queue or a listener's: transient, classic
    queue.queue_arguments = {**(queue.queue_arguments or {}), **arguments(queue.name)}
    if queue_type() == "quorum" and not queue.name.endswith(DEAD_SUFFIX):
        with Connection(amqp_uri, connect_timeout=5) as conn:
            dead_queue(queue.name)(conn.default_channel).declare()
    return queue
