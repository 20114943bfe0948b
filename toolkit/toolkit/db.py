"""The database provider: one PostgreSQL schema per service, a unit of work per use case.

    class RegistrationService:
        name = "registration"
        db = Database(models.metadata)

        @rpc
        def accept(self, ...):
            with self.db.unit_of_work() as uow:
                handlers.accept(uow, ...)

The engine is made when the service container starts (never at import). A unit of work is one
transaction; `uow.emit()` writes an event to the outbox inside it, and a commit that emitted
events wakes the outbox relay, which this provider runs beside the service's workers.
"""
import logging
from contextlib import contextmanager

from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, text

from .config import amqp_uri, database_url
from .events import envelope
from .outbox import Relay, RelayLoop, copy_events, to_json
from .runtime import tune_gc

log = logging.getLogger(__name__)


# Beyond its workers' connections a process holds at most these: the outbox relay's (services) or
# the audit writer's (gateway), and one to spare for a worker's short second connection.
SPARE_CONNECTIONS = 2


def pool_limit(workers, one_statement=False):
    """The most PostgreSQL connections a process with `workers` workers opens: its pool is sized
    from its own configuration (max_workers) and never overflows, so processes x pool is a budget
    a city can add up (docs/operations/connections.md, `deploy/k8s/validate.py --budget`). A service that
    writes one-statement use cases (registration) has a second, autocommit pool of one per worker."""
    return workers + SPARE_CONNECTIONS + (workers if one_statement else 0)


def make_engine(url, **kwargs):
    # No pool_pre_ping: it costs a round trip on every checkout, i.e. on every request. After a
    # database restart the pool's old connections fail once, are invalidated, and are replaced.
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_recycle", 1800)
    # the city's clock: timestamps come back as +08:00 and "today" in SQL is Beijing's today
    kwargs.setdefault("connect_args", {"options": "-c timezone=Asia/Shanghai"})
    # a failed statement's parameters hold phones, addresses and identity numbers: not for logs
    kwargs.setdefault("hide_parameters", True)
    return create_engine(url, **kwargs)


class UnitOfWork:
    """One transaction on a Core connection (`uow.conn`), or one statement in autocommit
    (Store.unit_of_work(one_statement=True)), and the events it will publish once committed. The use cases write SQL-shaped code; an ORM session would only add overhead."""

    def __init__(self, conn, outbox):
        self.conn = conn
        self.outbox = outbox
        self.events = []
        if outbox is not None:
            self._insert = text(f"INSERT INTO {outbox.schema}.outbox (event_id, event_type, payload) "
                                "VALUES (:event_id, :event_type, CAST(:payload AS jsonb))")

    def emit(self, event_type, scope, **payload):
        """Write an event to the outbox in this transaction; returns the complete event."""
        event = envelope(event_type, scope, payload)
        self.conn.execute(self._insert, {"event_id": event["event_id"], "event_type": event_type,
                                         "payload": to_json(event)})  # serialized once, here
        self.events.append(event)
        return event

    def emit_many(self, event_type, scoped_payloads):
        """Many events of one type at once, by COPY (a settlement run's thousands of messages):
        `scoped_payloads` are (scope, payload) pairs. Same transaction, same outbox, same relay."""
        events = [envelope(event_type, scope, payload) for scope, payload in scoped_payloads]
        if events:
            with self.conn.connection.cursor() as cursor:
                copy_events(cursor, self.outbox.schema, events)
            self.events.extend(events)
        return events


class Store:
    """Engine, sessions and relay of one service's schema, usable with or without nameko."""

    def __init__(self, service_name, metadata, url=None, amqp=None, relay=True, **engine_kwargs):
        self.service_name = service_name
        self.metadata = metadata
        self.engine = make_engine(url or database_url(service_name), **engine_kwargs)
        self._engine_args = (url or database_url(service_name), engine_kwargs)
        self._autocommit = None
        self.outbox = metadata.tables.get(f"{service_name}.outbox")
        self.relay_loop = None
        if relay and self.outbox is not None:
            self.relay_loop = RelayLoop(Relay(self.engine, self.outbox, service_name, amqp or amqp_uri()))

    @contextmanager
    def unit_of_work(self, one_statement=False):
        """A transaction; or, `one_statement`, a connection in autocommit for a use case that
        writes in a single statement (atomic on its own; it saves the BEGIN and COMMIT round
        trips: form reports). Either way, events written wake the relay once committed."""
        engine = self._autocommit_engine() if one_statement else self.engine
        with engine.connect() as conn:
            uow = UnitOfWork(conn, self.outbox)
            if one_statement:
                yield uow
            else:
                with conn.begin():
                    yield uow
        if uow.events and self.relay_loop is not None:
            self.relay_loop.notify()

    def _autocommit_engine(self):
        # a pool of its own, in autocommit from the connect on: switching a pooled connection to
        # autocommit and back costs a round trip at every check-in
        if self._autocommit is None:
            url, kwargs = self._engine_args
            # a worker uses this pool or the other, never both at once: one per worker
            workers = max(1, kwargs.get("pool_size", 10) - SPARE_CONNECTIONS)
            self._autocommit = make_engine(url, isolation_level="AUTOCOMMIT", **{**kwargs, "pool_size": workers})
        return self._autocommit

    def dispose(self):
        if self.relay_loop is not None:
            self.relay_loop.stop()
        self.engine.dispose()
        if self._autocommit is not None:
            self._autocommit.dispose()


class Database(DependencyProvider):
    """nameko provider of a `Store` for the service's schema; runs its outbox relay."""

    def __init__(self, metadata, relay=True):
        self.metadata = metadata
        self.relay = relay
        self.store = None

    def setup(self):
        # OUTBOX_RELAY=off leaves publishing to a separate `python -m toolkit.relay` process
        config = self.container.config
        relay = self.relay and str(config.get("OUTBOX_RELAY", "on")).lower() not in ("off", "false", "0")
        # a connection for every worker and the relay's, and no more (pool_limit): a smaller pool
        # closes and reopens PostgreSQL connections under load (a new backend each time)
        workers = int(config.get("max_workers", 10))
        self.store = Store(self.container.service_name, self.metadata, url=config.get("DATABASE_URL"),
                           amqp=config.get("AMQP_URI"), relay=relay, pool_size=pool_limit(workers),
                           max_overflow=0)
        tune_gc()

    def start(self):
        if self.store.relay_loop is not None:
            self.container.spawn_managed_thread(self.store.relay_loop.run, identifier="outbox_relay")

    def stop(self):
        if self.store is not None:
            self.store.dispose()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.store
