"""A plain AMQP consumer of the platform's events, using nothing but kombu: what a developer of
another city system writes to subscribe. Prints each event as one line of JSON.

    python -m toolkit.listen registration                 # every event of the service
    python -m toolkit.listen registration member_reported --queue my-system.reports

With --queue the queue is durable and named, so events published while the listener is away
wait for it; without, a temporary queue lives as long as the listener.
"""
import argparse
import json
import sys
import uuid

from kombu import Connection, Exchange, Queue, binding

from .config import amqp_uri


def queue_for(service, routing_keys=("#",), name=None):
    """A queue bound to the service's event exchange for the given event names (or "#")."""
    exchange = Exchange(f"{service}.events", type="topic", durable=True, auto_delete=False)
    durable = bool(name)
    name = name or f"{service}.listen.{uuid.uuid4().hex[:12]}"
    return Queue(name, bindings=[binding(exchange, routing_key=k) for k in routing_keys],
                 durable=durable, auto_delete=not durable, exclusive=not durable)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m toolkit.listen", description=__doc__.split("\n\n")[0])
    parser.add_argument("service")
    parser.add_argument("events", nargs="*", default=["#"])
    parser.add_argument("--queue")
    parser.add_argument("--count", type=int, default=0, help="stop after this many events")
    args = parser.parse_args(argv)
    seen = 0
    with Connection(amqp_uri()) as conn:
        queue = queue_for(args.service, args.events, args.queue)

        def on_message(body, message):
            nonlocal seen
            print(json.dumps(body, ensure_ascii=False), flush=True)
            message.ack()
            seen += 1

        with conn.Consumer(queue, callbacks=[on_message], accept=["json"]):
            print(f"listening to {args.service}.events {' '.join(args.events)}", file=sys.stderr, flush=True)
            while not args.count or seen < args.count:
                conn.drain_events()


if __name__ == "__main__":
    main()
