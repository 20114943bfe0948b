"""The baseline of the gateway benchmark: the cheapest thing nameko's @http can serve.

    cd bench && GATEWAY_ADDRESS=127.0.0.1:18282 AMQP_URI=amqp://guest:guest@127.0.0.1:5672/sbd_bench \
        ../.venv/bin/nameko run --config ../gateway/config.yaml gateway_bare_service

It is run with the gateway's own config.yaml (same broker, same max_workers, same logging, so
the same access-log line per request) and only the address changed: whatever separates the
registration route from this one is then the gateway's and the services' own work, not setup.
"""
from nameko.web.handlers import http
from werkzeug.wrappers import Response

# Built once at import: the baseline should not measure JSON encoding of a body it never changes.
CONSTANT = b'{"ok":true}'


class GatewayBareService:
    name = "gateway_bare"

    @http("GET", "/const")
    def const(self, request):
        # A werkzeug Response, as the gateway returns, so both go through the same response path.
        return Response(CONSTANT, status=200, mimetype="application/json")

    @http("GET", "/health")
    def health(self, request):
        return 200, "ok"
