"""Consume one event type in batches, beside a nameko service's workers.

    class ScoringService:
        db = Database(metadata)
        settlements = BatchConsumer("scoring", "settlement_requested", settlement.settle_batch)

Each message is still one unit of work (one community of a settlement run), and any number of
processes compete for the messages of the one durable queue. What changes is how a process takes
them: up to `batch_size` at a time, handled by `handler(store, events)` in as few transactions as
it likes, then acknowledged. A batch is handled by a green thread of its own while the next one is
gathered, one batch in flight at a time, so a handler that waits on PostgreSQL overlaps with the
Python of reading the next messages. A nameko worker per message costs about a millisecond of Python
before any work is done; for thousands of small messages that is most of the cost.

At-least-once as everywhere (ARCHITECTURE rule 1): messages are acknowledged only after the handler
returned, so a crash redelivers them, and the handler must be idempotent (an inbox). If the handler
raises, the batch is requeued and the consumer backs off; a handler that can tell one bad message
from the rest should record it and return, or the batch comes back forever.
"""
import logging
import time

import eventlet
from kombu import Connection, Consumer, Exchange, Queue
from nameko.extensions import DependencyProvider

from . import queues

log = logging.getLogger(__name__)


class BatchConsumer(DependencyProvider):

    def __init__(self, source, event_type, handler, batch_size=50, gather=0.05, store_attr="db", raw=False):
        self.source = source
        # raw: the handler gets each message's JSON text as it came, not decoded (a handler that
        # passes large payloads on to PostgreSQL would otherwise decode and encode them again)
        self.raw = raw
        self.event_type = event_type
        self.handler = handler
        self.batch_size = batch_size
        self.gather = gather            # seconds to wait for more messages before handling a batch
        self.store_attr = store_attr    # the service's Database provider, whose store the handler gets
        self.running = False
        self.handled = 0                # messages acknowledged, for tests and metrics

    def setup(self):
        service = self.container.service_name
        self.amqp_uri = self.container.config["AMQP_URI"]
        exchange = Exchange(f"{self.source}.events", type="topic", durable=True, auto_delete=False)
        self.queue = Queue(f"batch-{self.source}-{self.event_type}--{service}", exchange=exchange,
                           routing_key=self.event_type, durable=True, auto_delete=False)
        queues.prepare(self.queue, self.amqp_uri)   # classic or quorum, as deployed
        # declared now, before the service takes requests: nothing published later is dropped
        with Connection(self.amqp_uri, connect_timeout=5) as conn:
            self.queue(conn.default_channel).declare()

    def start(self):
        self.running = True
        self.container.spawn_managed_thread(self._run, identifier=f"batches:{self.queue.name}")

    def stop(self):
        self.running = False

    def kill(self):
        self.running = False

    def _store(self):
        provider = next(d for d in self.container.dependencies if d.attr_name == self.store_attr)
        return provider.store

    def _run(self):
        backoff = 0.5
        while self.running:
            try:
                self._consume()
                backoff = 0.5
            except Exception as exc:  # the broker or the database went away: keep trying
                log.warning("batch consumer %s failed, retrying in %.1fs: %s", self.queue.name, backoff, exc)
                time.sleep(backoff)
                backoff = min(backoff * 2, 30.0)

    def _consume(self):
        pending, inflight = [], None
        with Connection(self.amqp_uri, connect_timeout=5, heartbeat=0) as conn:
            channel = conn.channel()
            # three batches' worth: one being written, the next being gathered, and the broker
            # still pushing, instead of asked for (a round trip and a push) only after acks
            channel.basic_qos(prefetch_size=0, prefetch_count=3 * self.batch_size, a_global=False)
            with Consumer(channel, queues=[self.queue], callbacks=[lambda body, message: pending.append(message)],
                          accept=["json"]):
                try:
                    while self.running:
                        if len(pending) < self.batch_size:
                            if inflight is not None and inflight.dead:
                                inflight, done = None, inflight
                                self._finish(done)
                            try:
                                conn.drain_events(timeout=self.gather)
                                # a full socket never blocks, so drain_events never yields: let the
                                # batch in flight take its turn (its commit) between messages
                                eventlet.sleep(0)
                                continue  # more may be on the way: gather them
                            except TimeoutError:
                                pass
                        if inflight is not None:
                            inflight, done = None, inflight
                            self._finish(done)
                        if pending:
                            batch, pending[:] = pending[:self.batch_size], pending[self.batch_size:]
                            # written by a green thread of its own while the next batch is gathered:
                            # PostgreSQL works on one batch while this process reads the next
                            inflight = eventlet.spawn(self._handle, batch)
                finally:
                    if inflight is not None:  # acknowledged (or put back) before the channel closes
                        self._finish(inflight)

    def _handle(self, messages):
        started = time.perf_counter()
        try:
            self.handler(self._store(), [_text(m.body) if self.raw else m.payload for m in messages])
        except Exception as exc:
            log.exception("batch of %d %s messages failed; requeued", len(messages), self.event_type)
            return messages, exc
        log.info("%s: %d handled in %.3fs", self.queue.name, len(messages), time.perf_counter() - started)
        return messages, None

    def _finish(self, thread):
        """Acknowledge a batch once its handler returned, in the order the batches were taken (one
        batch in flight at a time), from the thread that owns the channel."""
        messages, failure = thread.wait()
        if failure is not None:
            for m in messages:
                m.requeue()
            raise failure
        # one frame for the batch: it holds the channel's oldest unacknowledged deliveries, the
        # later ones still waiting in `pending` have higher tags
        messages[-1].ack(multiple=True)
        self.handled += len(messages)


def _text(body):
    return body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
