"""The idempotent-consumer inbox (ARCHITECTURE rule 1).

nameko acks an event after its handler returns, so the same event can arrive twice. A handler
calls `first_time()` inside the transaction that holds its effect: the id is recorded with the
effect, and a redelivered id returns False so the handler does nothing. If the transaction rolls
back, neither the effect nor the id is kept and the redelivery does the work.
"""
from sqlalchemy import text

_STATEMENTS = {}


def first_time(session, inbox, event):
    """True if `event` (a payload with event_id and event_type) was not handled before."""
    # one plain statement per inbox, made once: it runs for every event a service hears, and a
    # Core insert with values was compiled again for each (a tenth of an intake's CPU)
    name = f"{inbox.schema}.{inbox.name}"
    if name not in _STATEMENTS:
        _STATEMENTS[name] = text(f"INSERT INTO {name} (event_id, event_type, source) VALUES (:id, :type, :source) "
                                 "ON CONFLICT (event_id) DO NOTHING RETURNING event_id")
    return session.execute(_STATEMENTS[name], {"id": str(event["event_id"]), "type": event.get("event_type", ""),
                                               "source": event.get("_source", "")}).first() is not None


def first_times(session, inbox, events, source):
    """The ids of `events` not handled before, recorded now (one statement for a batch)."""
    name = f"{inbox.schema}.{inbox.name}"
    if (name, "batch") not in _STATEMENTS:
        _STATEMENTS[name, "batch"] = text(
            f"INSERT INTO {name} (event_id, event_type, source) "
            "SELECT unnest(CAST(:ids AS uuid[])), unnest(CAST(:types AS text[])), :source "
            "ON CONFLICT (event_id) DO NOTHING RETURNING CAST(event_id AS text)")
    rows = session.execute(_STATEMENTS[name, "batch"], {"ids": [str(e["event_id"]) for e in events],
                                       "types": [e.get("event_type", "") for e in events], "source": source})
    return {r[0] for r in rows}


def handle_once(store, source, event, handler):
    """`handler(conn, event)` in one transaction with the event's inbox record: the body of an
    @event_handler. `store` is the service's (toolkit.db.Store); `source` the producing service."""
    inbox = store.metadata.tables[f"{store.metadata.schema}.inbox"]
    with store.unit_of_work() as uow:
        if first_time(uow.conn, inbox, {**event, "_source": source}):
            handler(uow.conn, event)
