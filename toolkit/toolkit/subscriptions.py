"""Declare the queues a service's event handlers consume, before the service runs.

A topic exchange drops what no queue is bound to. nameko declares an event handler's queue when
the service starts, so events published before a subscriber's first start are lost to it. A
deployment (or a test session) that loads data and publishes before every subscriber is up
declares their queues first:

    python -c 'from toolkit.subscriptions import declare_event_queues; ...'

The names and bindings are nameko's own (nameko.events.EventHandler.setup, service pool handlers).
"""
from kombu import Connection, Exchange, Queue
from nameko.events import SERVICE_POOL, EventHandler


def event_queues(service_cls):
    for method, fn in vars(service_cls).items():
        for entrypoint in getattr(fn, "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventHandler) and entrypoint.handler_type is SERVICE_POOL:
                source, event_type = entrypoint.source_service, entrypoint.event_type
                exchange = Exchange(f"{source}.events", type="topic", durable=True, auto_delete=False)
                yield Queue(f"evt-{source}-{event_type}--{service_cls.name}.{method}", exchange=exchange,
                            routing_key=event_type, durable=True, auto_delete=False)


def declare_event_queues(amqp_uri, *service_classes):
    """Declare (idempotently) every service-pool event queue of these nameko service classes."""
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.default_channel
        for cls in service_classes:
            for queue in event_queues(cls):
                queue(channel).declare()
