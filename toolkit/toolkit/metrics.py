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
from werkzeug.wrappers import Response

CALLS = Counter("sbd_entrypoint_calls_total", "Entrypoint calls", ["service", "entrypoint", "outcome"])
LATENCY = Histogram("sbd_entrypoint_seconds", "Entrypoint latency", ["service", "entrypoint"],
                    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
OUTBOX_PUBLISHED = Gauge("sbd_outbox_published", "Events this process's relay has published", ["service"])


class _Handle:
    def __init__(self, provider):
        self.provider = provider

    def response(self):
        self.provider.refresh()
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


class Metrics(DependencyProvider):
    def setup(self):
        self.started = {}

    def refresh(self):
        for provider in self.container.dependencies:
            store = getattr(provider, "store", None)
            if store is not None and store.relay_loop is not None:
                OUTBOX_PUBLISHED.labels(self.container.service_name).set(store.relay_loop.relay.published)

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
