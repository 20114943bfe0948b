"""Dead letters: an event a handler fails on again and again is neither retried for ever nor
dropped (nameko's own @event_handler acks a failed event and it is gone).

The services' handlers use `event_handler` from here. When one raises, the event goes back to
the end of its queue with its try counted (header x-sbd-attempts), so the good events behind it
go through; after MAX_ATTEMPTS tries it is moved to the queue's dead-letter queue
(`<queue>.dead`, durable) with the last error, counted in `sbd_dead_letters_total`, and waits
for people:

    python -m toolkit.deadletters list                 # every dead-letter queue, with its events
    python -m toolkit.deadletters list <queue>.dead
    python -m toolkit.deadletters replay <queue>.dead  # back to the queue they came from, tries from 0

A replayed event is handled at most once all the same: the handlers' inbox skips an event_id
already handled. The failed event is acked only once it is in its retry or dead-letter place
(published with the broker's confirm); if that publish fails, it is requeued as it was.
"""
import argparse
import json
import os
import sys

import eventlet
from kombu import Connection, Exchange
from nameko.events import EventHandler as _NamekoEventHandler
from prometheus_client import Counter

from . import nameko_fixes, queues  # noqa: F401  (nameko_fixes: the queues of the deployed kind)

MAX_ATTEMPTS = int(os.environ.get("EVENT_MAX_ATTEMPTS", "5"))
RETRY_PAUSE = float(os.environ.get("EVENT_RETRY_PAUSE", "0.5"))   # seconds × the try: a blip passes
ATTEMPTS, ERROR, ORIGIN = "x-sbd-attempts", "x-sbd-error", "x-sbd-queue"
SUFFIX = queues.DEAD_SUFFIX
DEFAULT = Exchange("")   # the default exchange: routing key = a queue's name

DEAD_LETTERS = Counter("sbd_dead_letters_total", "Events moved to a dead-letter queue after their tries",
                       ["service", "queue"])


def dead_queue(name):
    return queues.dead_queue(name)   # of the deployment's kind (toolkit/queues.py)


def _publish(uri, message, queue_name, headers):
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        if queue_name.endswith(SUFFIX):
            dead_queue(queue_name)(conn.channel()).declare()
        conn.Producer().publish(message.body, exchange=DEFAULT, routing_key=queue_name, headers=headers,
                                content_type=message.content_type, content_encoding=message.content_encoding,
                                delivery_mode=2, retry=True, retry_policy={"max_retries": 3})


class EventHandler(_NamekoEventHandler):
    """nameko's event handler, with bounded tries and a dead-letter queue instead of a lost event."""

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            return self.queue_consumer.ack_message(message)
        headers = dict(message.headers or {})
        tries = int(headers.get(ATTEMPTS, 0)) + 1
        queue = self.queue.name
        headers.update({ATTEMPTS: tries, ERROR: f"{exc_info[0].__name__}: {exc_info[1]}"[:500], ORIGIN: queue})
        try:
            if tries < MAX_ATTEMPTS:
                eventlet.sleep(RETRY_PAUSE * tries)
                _publish(self.container.config["AMQP_URI"], message, queue, headers)
            else:
                _publish(self.container.config["AMQP_URI"], message, queue + SUFFIX, headers)
                DEAD_LETTERS.labels(self.container.service_name, queue).inc()
        except Exception:   # not placed anywhere: the broker keeps it and delivers it again
            return self.queue_consumer.requeue_message(message)
        self.queue_consumer.ack_message(message)


event_handler = EventHandler.decorator


# --- the command -----------------------------------------------------------------------------

def _dead_queues(conn):
    """Names of the vhost's dead-letter queues, from `rabbitmqctl list_queues` (AMQP itself cannot
    list queues); where rabbitmqctl is not at hand (a pod), name the queues."""
    import subprocess
    vhost = conn.virtual_host or "/"
    out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name"], capture_output=True, text=True)
    return sorted(n.strip() for n in out.stdout.splitlines() if n.strip().endswith(SUFFIX))


def _read(conn, name):
    """Every event of a dead-letter queue, left in it: taken unacked on a channel of their own,
    given back when it closes."""
    channel = conn.channel()
    queue = dead_queue(name)(channel)
    queue.declare()
    found = []
    while (message := queue.get(no_ack=False)) is not None:
        found.append(message)
    return channel, found


def list_dead(uri, names=None, out=sys.stdout):
    with Connection(uri) as conn:
        for name in names or _dead_queues(conn):
            channel, messages = _read(conn, name)
            print(f"{name}: {len(messages)}", file=out)
            for m in messages:
                body = json.loads(m.body) if m.content_type == "application/json" else m.body
                print(json.dumps({"event_id": body.get("event_id") if isinstance(body, dict) else None,
                                  "event_type": body.get("event_type") if isinstance(body, dict) else None,
                                  "attempts": m.headers.get(ATTEMPTS), "error": m.headers.get(ERROR),
                                  "queue": m.headers.get(ORIGIN)}, ensure_ascii=False), file=out)
            channel.close()   # unacked: they stay in the dead-letter queue


def replay(uri, name, out=sys.stdout):
    """Every event of `name` back to the queue it came from, its tries from 0."""
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        channel, messages = _read(conn, name)
        for m in messages:
            headers = {k: v for k, v in (m.headers or {}).items() if k not in (ATTEMPTS, ERROR)}
            origin = headers.get(ORIGIN) or name[: -len(SUFFIX)]
            conn.Producer().publish(m.body, exchange=DEFAULT, routing_key=origin, headers=headers,
                                    content_type=m.content_type, content_encoding=m.content_encoding, delivery_mode=2)
            m.ack()   # only once it is back in its queue (confirmed)
        channel.close()
        print(f"{name}: {len(messages)} replayed", file=out)
        return len(messages)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m toolkit.deadletters", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("list", "replay"))
    parser.add_argument("queues", nargs="*", help="dead-letter queues (<queue>.dead); list: every one by default")
    args = parser.parse_args(argv)
    from .config import amqp_uri
    if args.command == "list":
        list_dead(amqp_uri(), args.queues)
    else:
        if not args.queues:
            parser.error("replay: name the dead-letter queue(s)")
        for name in args.queues:
            replay(amqp_uri(), name)


if __name__ == "__main__":
    main()
