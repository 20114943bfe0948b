"""A plain AMQP consumer of the platform's events, using nothing but kombu: what a developer of
another city system writes to subscribe. Prints each event as one line of JSON.

    python -m toolkit.listen registration                 # every event of the service
    python -m toolkit.listen registration member_reported --queue my-system.reports

With --queue the queue is durable and named, so events published while the listener is away
wait for it; without, a temporary queue lives as long as the listener (and a broker restart
drops it: events published while the broker was away are not heard). It connects again by itself
after a broker restart. examples/subscriber.py is the same for a city system to copy, importing
nothing of the platform.
"""
import argparse
import json
import sys
import uuid

from kombu import Connection, Exchange, Queue, binding
from kombu.mixins import ConsumerMixin

from .config import amqp_uri


def queue_for(service, routing_keys=("#",), name=None):
    """A queue bound to the service's event exchange for the given event names (or "#")."""
    exchange = Exchange(f"{service}.events", type="topic", durable=True, auto_delete=False)
    durable = bool(name)
    name = name or f"{service}.listen.{uuid.uuid4().hex[:12]}"
    return Queue(name, bindings=[binding(exchange, routing_key=k) for k in routing_keys],
                 durable=durable, auto_delete=not durable, exclusive=not durable)


class _Printer(ConsumerMixin):
    """Prints each event; kombu's ConsumerMixin connects again after a broker restart."""

    def __init__(self, connection, queue, count):
        self.connection, self.queue, self.count, self.seen = connection, queue, count, 0

    def get_consumers(self, Consumer, channel):
        return [Consumer(queues=[self.queue], callbacks=[self.on_message], accept=["json"])]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        print(f"listening to {self.queue.name}", file=sys.stderr, flush=True)

    def on_message(self, body, message):
        print(json.dumps(body, ensure_ascii=False), flush=True)
        message.ack()
        self.seen += 1
        if self.count and self.seen >= self.count:
            self.should_stop = True


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m toolkit.listen", description=__doc__.split("\n\n")[0])
    parser.add_argument("service")
    parser.add_argument("events", nargs="*", default=["#"])
    parser.add_argument("--queue")
    parser.add_argument("--count", type=int, default=0, help="stop after this many events")
    args = parser.parse_args(argv)
    with Connection(amqp_uri(), heartbeat=10) as conn:
        _Printer(conn, queue_for(args.service, args.events, args.queue), args.count).run()


if __name__ == "__main__":
    main()
