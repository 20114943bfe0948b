"""The request id on every log line a worker writes, in the gateway and in the services.

The gateway gives each request an id and nameko carries it in the context data of every RPC;
`RequestLog` (a dependency every service declares) remembers it for the worker's greenthread,
and `RequestIdFilter` (in each config.yaml's logging section) writes it into the record as
`%(request_id)s`: "-" outside a request (timers, the relay, start-up).
"""
import logging

from eventlet import corolocal
from nameko.extensions import DependencyProvider

_local = corolocal.local()


def current_request_id():
    return getattr(_local, "request_id", None)


def bind(request_id):
    """From now on, this greenthread's log lines carry `request_id` (None: "-")."""
    _local.request_id = request_id


class RequestLog(DependencyProvider):
    def worker_setup(self, worker_ctx):
        bind(worker_ctx.data.get("request_id"))

    def worker_teardown(self, worker_ctx):
        bind(None)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id() or "-"
        return True
