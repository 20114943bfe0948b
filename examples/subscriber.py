"""Subscribe to the 双报到 platform's events: a city system's starting point. Copy this file; it
needs only kombu (`pip install kombu`) and the broker's address, nothing of the platform.

    AMQP_URI=amqp://user:pass@broker:5672/ python subscriber.py registration member_reported \\
        --queue my-system.registration

Each service publishes its events to the topic exchange `<service>.events` (registration,
volunteering, scoring, feedback, documents), with the event's type as the routing key; the
catalog of events and their fields is the platform's AsyncAPI document and docs/events.md.

What a subscriber must do, and this one does:
- a durable queue of its own (--queue): events published while it is away wait for it;
- ack an event only after handling it: if it stops mid-way, the broker delivers it again;
- handle an event twice without harm: the platform delivers at least once, so keep each
  `event_id` handled (here: in memory; a real system keeps it with its own data);
- reconnect when the broker restarts or the network drops (kombu's ConsumerMixin does).
"""
import argparse
import json
import os
import sys

from kombu import Connection, Exchange, Queue, binding
from kombu.mixins import ConsumerMixin


class Subscriber(ConsumerMixin):
    def __init__(self, connection, queue, handle, count=0):
        self.connection, self.queue, self.handle, self.count = connection, queue, handle, count
        self.seen = set()

    def get_consumers(self, Consumer, channel):
        return [Consumer(queues=[self.queue], callbacks=[self.on_message], accept=["json"], prefetch_count=50)]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        print("ready", file=sys.stderr, flush=True)   # the queue is declared and bound: nothing is missed from here

    def on_message(self, body, message):
        event_id = body.get("event_id")
        if event_id not in self.seen:          # at least once: the same event may come again
            self.handle(body)
            self.seen.add(event_id)
        message.ack()
        if self.count and len(self.seen) >= self.count:
            self.should_stop = True


def queue(service, event_types, name):
    exchange = Exchange(f"{service}.events", type="topic", durable=True)
    keys = event_types or ["#"]
    return Queue(name, bindings=[binding(exchange, routing_key=k) for k in keys], durable=True,
                 auto_delete=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print the platform's events, one JSON line each.")
    parser.add_argument("service", help="registration, volunteering, scoring, feedback or documents")
    parser.add_argument("events", nargs="*", help="event types (default: every one)")
    parser.add_argument("--queue", required=True, help="your system's durable queue, e.g. my-system.registration")
    parser.add_argument("--count", type=int, default=0, help="stop after this many events (0: never)")
    args = parser.parse_args(argv)
    uri = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//")
    with Connection(uri, heartbeat=10) as connection:
        subscriber = Subscriber(connection, queue(args.service, args.events, args.queue),
                                lambda event: print(json.dumps(event, ensure_ascii=False), flush=True), args.count)
        subscriber.run()


if __name__ == "__main__":
    main()
