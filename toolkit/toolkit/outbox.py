"""The transactional outbox and its relay (ARCHITECTURE rule 2).

A use case calls `UnitOfWork.emit()`: the event row is inserted in the same transaction as the
change it announces, so either both are committed or neither. The `Relay` then publishes unsent
rows to the service's nameko event exchange and marks them sent in one transaction per batch:

- rows are claimed with FOR UPDATE SKIP LOCKED, so N replicas share the work without doubles;
- a batch is published on a channel in confirm mode and the relay waits until RabbitMQ has
  confirmed every message of the batch (one round of waiting per batch, not per message);
- only then are the rows marked sent; if the broker is down or nacks, the transaction rolls
  back and the rows are tried again later. A crash between publish and mark re-sends the batch,
  which is why every consumer is idempotent (at-least-once, rule 1).
"""
import json
import logging
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import amqp
from kombu import Connection
from sqlalchemy import Text, cast, func, select, update

from .bulk import copy_rows
from .config import now

log = logging.getLogger(__name__)


def _default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def to_json(payload):
    return json.dumps(payload, ensure_ascii=False, default=_default, separators=(",", ":"))


def copy_events(cursor, schema, events):
    """Write many events to the outbox with COPY (bulk work: an import of thousands of rows)."""
    copy_rows(cursor, f"{schema}.outbox", ("event_id", "event_type", "payload"),
              ((e["event_id"], e["event_type"], to_json(e)) for e in events))


class Relay:
    """Publishes one schema's outbox to the exchange `<service>.events`."""

    def __init__(self, engine, outbox, service_name, amqp_uri, batch_size=500, confirm_timeout=10,
                 connect_timeout=5):
        self.engine = engine
        self.outbox = outbox
        self.exchange = f"{service_name}.events"
        self.amqp_uri = amqp_uri
        self.batch_size = batch_size
        self.confirm_timeout = confirm_timeout
        self.connect_timeout = connect_timeout
        self._connection = None
        self._channel = None
        self._unconfirmed = set()
        self._nacked = False
        self.published = 0  # counter read by metrics and tests

    # -- broker side ------------------------------------------------------------------------

    def _open(self):
        if self._channel is not None:
            return self._channel
        connection = Connection(self.amqp_uri, connect_timeout=self.connect_timeout)
        try:
            connection.connect()
            # every read and write on this socket is bounded: a broker that falls silent (a resource
            # alarm, a half-open connection) must cost one timeout, never a relay stuck for good
            # with its rows locked. A socket timeout, not SO_RCVTIMEO, which green sockets ignore.
            connection.connection.transport.sock.settimeout(self.confirm_timeout)
            channel = connection.connection.channel()  # the py-amqp channel, for batched confirms
            channel.exchange_declare(self.exchange, "topic", durable=True, auto_delete=False)
            channel.confirm_select()
        except Exception:
            connection.collect()  # not kept, so not closed later: drop its socket now
            raise
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        # a new channel numbers its publishes from 1: tags awaited on an earlier one are void
        self._connection, self._channel, self._next_tag, self._unconfirmed = connection, channel, 1, set()
        return channel

    def close(self, graceful=True):
        connection, self._connection, self._channel = self._connection, None, None
        if connection is None:
            return
        try:
            if graceful:
                connection.release()
            else:
                # after a failure the broker may never answer a Close: drop the socket instead
                connection.collect()
        except Exception:  # the broker may already be gone; nothing to keep
            pass

    def _on_ack(self, tag, multiple):
        if multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > tag}
        else:
            self._unconfirmed.discard(tag)

    def _on_nack(self, tag, multiple):
        self._nacked = True
        self._on_ack(tag, multiple)

    def _publish_confirmed(self, rows):
        channel = self._open()
        self._nacked = False
        for row in rows:
            message = amqp.Message(
                row.payload, content_type="application/json", content_encoding="utf-8",
                delivery_mode=2, message_id=str(row.event_id), type=row.event_type,
                timestamp=int(time.time()))
            channel.basic_publish(message, exchange=self.exchange, routing_key=row.event_type)
            self._unconfirmed.add(self._next_tag)
            self._next_tag += 1
        deadline = time.monotonic() + self.confirm_timeout
        while self._unconfirmed:
            if self._channel is not channel:  # closed meanwhile (the service stopping): not confirmed
                raise ConnectionError("relay closed while waiting for publisher confirms")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self._unconfirmed)} publishes not confirmed")
            self._connection.drain_events(timeout=remaining)
        if self._nacked:
            raise RuntimeError("broker nacked a publish")

    # -- database side ----------------------------------------------------------------------

    def publish_pending(self):
        """Publish one batch of unsent events; returns how many were sent."""
        t = self.outbox
        with self.engine.begin() as conn:
            # the batch's ids claimed first, the payloads printed after: with the cast in the same
            # SELECT, PostgreSQL printed every unsent row's payload before the sort and the limit
            # (a city's publication: 2,000 rows of 5 KB printed and sorted on disk for each batch)
            claimed = (select(t.c.id).where(t.c.sent_at.is_(None)).order_by(t.c.id)
                       .limit(self.batch_size).with_for_update(skip_locked=True).cte("claimed"))
            rows = conn.execute(
                # the payload as PostgreSQL prints it: already JSON text, not parsed and dumped again
                select(t.c.id, t.c.event_id, t.c.event_type, cast(t.c.payload, Text).label("payload"))
                .join_from(t, claimed, claimed.c.id == t.c.id).order_by(t.c.id)).all()
            if not rows:
                return 0
            try:
                self._publish_confirmed(rows)
            except Exception:
                self.close(graceful=False)
                raise
            conn.execute(update(t).where(t.c.id.in_([r.id for r in rows]))
                         .values(sent_at=now(), attempts=t.c.attempts + 1))
        self.published += len(rows)
        return len(rows)

    def prune(self, keep_days=7):
        """Delete rows sent more than `keep_days` ago: the outbox is a queue, not an archive."""
        t = self.outbox
        with self.engine.begin() as conn:
            return conn.execute(t.delete().where(t.c.sent_at < now() - timedelta(days=keep_days))).rowcount

    def pending(self):
        t = self.outbox
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t).where(t.c.sent_at.is_(None))).scalar()

    def drain(self):
        """Publish until nothing is left (CLI tools and tests)."""
        total = 0
        while True:
            sent = self.publish_pending()
            total += sent
            if sent == 0:
                return total


class RelayLoop:
    """Runs a Relay until stopped: woken at once after a commit that emitted events, and every
    `poll_interval` seconds anyway (to pick up rows of crashed processes and other replicas).
    On a broker or database error it backs off, up to `max_backoff` seconds, and keeps trying."""

    PRUNE_EVERY = 3600.0

    def __init__(self, relay, poll_interval=1.0, max_backoff=30.0, gather=0.02):
        self.relay = relay
        self.gather = gather  # after a wake-up, let a few more commits land: one batch, not one each
        self._pruned_at = time.monotonic()
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.wake = threading.Event()
        self.running = False
        self.active = False

    def notify(self):
        self.wake.set()

    def run(self):
        self.running, self.active = True, True
        finished = False
        try:
            self._loop()
            finished = True
        finally:
            # the relay's connection is closed by the thread that uses it, never from under it
            # (stop() in another thread would read the socket this one is reading); killed in the
            # middle of a batch, it drops the socket rather than wait for a Close-Ok
            self.active = False
            self.relay.close(graceful=finished)

    def _loop(self):
        backoff = 0.5
        while self.running:
            try:
                sent = self.relay.publish_pending()
                backoff = 0.5
            except Exception as exc:
                log.warning("outbox relay to %s failed, retrying in %.1fs: %s",
                            self.relay.exchange, backoff, exc)
                self.wake.wait(backoff)
                self.wake.clear()
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if sent < self.relay.batch_size:
                self._prune_now_and_then()
                if self.wake.wait(self.poll_interval) and self.running:
                    time.sleep(self.gather)
                self.wake.clear()

    def _prune_now_and_then(self):
        if time.monotonic() - self._pruned_at < self.PRUNE_EVERY:
            return
        self._pruned_at = time.monotonic()
        try:
            self.relay.prune()
        except Exception as exc:  # pruning is housekeeping: never stop publishing for it
            log.warning("outbox prune of %s failed: %s", self.relay.exchange, exc)

    def stop(self):
        self.running = False
        self.wake.set()
        if not self.active:  # never started (a tool drains the relay itself), or already ended
            self.relay.close()
