"""A nameko @event_handler reads relayed events, and the inbox makes a redelivered event a no-op."""
import time

import pytest
from nameko.events import event_handler
from nameko.runners import ServiceRunner
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, func, select, text, update

from toolkit.db import Database, Store
from toolkit.inbox import first_time
from toolkit.tables import inbox_table, outbox_table

pytestmark = pytest.mark.integration
PRODUCER, CONSUMER = "toolkit_producer", "toolkit_consumer"

consumer_md = MetaData(schema=CONSUMER)
inbox = inbox_table(consumer_md)
effects = Table("effects", consumer_md, Column("id", BigInteger, primary_key=True), Column("n", Integer, nullable=False))


class Consumer:
    name = CONSUMER
    db = Database(consumer_md)
    deliveries = []  # every call, duplicates included (the test runs the service in-process)

    @event_handler(PRODUCER, "thing_happened")
    def on_thing(self, event):
        Consumer.deliveries.append(event["event_id"])
        with self.db.unit_of_work() as uow:
            if first_time(uow.conn, inbox, event):
                uow.conn.execute(effects.insert().values(n=event["n"]))


def fresh_schema(engine, metadata):
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {metadata.schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {metadata.schema}"))
    metadata.create_all(engine)


def test_a_redelivered_event_changes_nothing(database_url, amqp):
    producer_md = MetaData(schema=PRODUCER)
    outbox = outbox_table(producer_md)
    producer = Store(PRODUCER, producer_md, url=database_url, amqp=amqp)
    fresh_schema(producer.engine, producer_md)
    fresh_schema(producer.engine, consumer_md)
    runner = ServiceRunner({"AMQP_URI": amqp, "DATABASE_URL": database_url})
    runner.add_service(Consumer)
    runner.start()  # declares and binds the handler's queue before anything is published
    try:
        with producer.unit_of_work() as uow:
            for n in range(20):
                uow.emit("thing_happened", {"district_code": "410106", "street_code": None, "community_code": None}, n=n)
        relay = producer.relay_loop.relay
        assert relay.drain() == 20
        # the relay crashed after publishing and before marking: the same events go out again
        with producer.engine.begin() as conn:
            conn.execute(update(outbox).values(sent_at=None))
        assert relay.drain() == 20

        deadline = time.time() + 20
        while len(Consumer.deliveries) < 40 and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)  # the last handler's transaction
        assert len(Consumer.deliveries) == 40 and len(set(Consumer.deliveries)) == 20
        with producer.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(effects)).scalar() == 20
            assert sorted(r[0] for r in conn.execute(select(effects.c.n))) == list(range(20))
    finally:
        runner.stop()
        producer.dispose()
