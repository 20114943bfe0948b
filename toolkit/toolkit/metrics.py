"""Prometheus metrics for a nameko service: every entrypoint's calls, errors and latency, and
the outbox relay's progress. A service exposes them with

    metrics = Metrics()

    @http("GET", "/metrics")
    def metrics_endpoint(self, request):
        return self.metrics.response()
"""
import time

from nameko.extensions import DependencyProvider
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import text
from werkzeug.wrappers import Response

CALLS = Counter("sbd_entrypoint_calls_total", "Entrypoint calls", ["service", "entrypoint", "outcome"])
LATENCY = Histogram("sbd_entrypoint_seconds", "Entrypoint latency", ["service", "entrypoint"],
                    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
OUTBOX_PUBLISHED = Gauge("sbd_outbox_published", "Events this process's relay has published", ["service"])
# read from the database at each scrape: the same for every process of a service (alert on max)
OUTBOX_UNSENT = Gauge("sbd_outbox_unsent", "Events written to the service's outbox and not yet published",
                      ["service"])
OUTBOX_OLDEST = Gauge("sbd_outbox_oldest_unsent_seconds",
                      "Age of the oldest event not yet published (0 when none waits): the outbox lag", ["service"])


class _Handle:
    def __init__(self, provider):
        self.provider = provider

    def response(self):
        self.provider.refresh()
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


class Metrics(DependencyProvider):
    """`gauges`: a function of the service's store, called at each scrape, that sets gauges of
    the service's own (the scoring service's settlement runs)."""

    def __init__(self, gauges=None):
        self.gauges = gauges

    def setup(self):
        self.started = {}

    def refresh(self):
        service = self.container.service_name
        for provider in self.container.dependencies:
            store = getattr(provider, "store", None)
            if store is None:
                continue
            if store.relay_loop is not None:
                OUTBOX_PUBLISHED.labels(service).set(store.relay_loop.relay.published)
            if getattr(store, "outbox", None) is not None:
                unsent, oldest = _outbox_lag(store)
                OUTBOX_UNSENT.labels(service).set(unsent)
                OUTBOX_OLDEST.labels(service).set(oldest)
            if self.gauges is not None:
                self.gauges(store)

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx.call_id] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx.call_id, None)
        name = worker_ctx.entrypoint.method_name
        service = self.container.service_name
        outcome = "ok" if exc_info is None else exc_info[0].__name__
        CALLS.labels(service, name, outcome).inc()
        if started is not None:
            LATENCY.labels(service, name).observe(time.perf_counter() - started)

    def get_dependency(self, worker_ctx):
        return _Handle(self)


def _outbox_lag(store):
    # the relay's own partial index (sent_at IS NULL) keeps this small however long the history
    with store.engine.connect() as conn:
        unsent, oldest = conn.execute(text(
            f"SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) "
            f"FROM {store.outbox.schema}.outbox WHERE sent_at IS NULL")).one()
    return unsent, float(oldest)
