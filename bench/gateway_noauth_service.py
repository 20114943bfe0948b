"""The baseline of the auth benchmark: the real gateway with one route's token check taken out.

    cd bench && GATEWAY_ADDRESS=127.0.0.1:18482 GATEWAY_DATABASE_URL=... AMQP_URI=... \
        ../.venv/bin/nameko run --config ../gateway/config.yaml gateway_noauth_service

Bench only, never deployed. At import, before nameko builds the service, the route
GET /api/v1/districts/<district_code>/streets is made public (scope "public", no roles): the
gateway then skips, for that route only, what bench/auth_bench.py measures, i.e. reading the
Authorization header, decoding and checking the JWT, the revoked-session lookup and the role and
scope check.

Everything else stays the same, so that the difference is the token check alone: same service
class, same config.yaml, same dispatch, validation, RPC, privacy scan and JSON. One detail keeps
the RPC identical: the registration service checks its caller itself (toolkit.caller,
registration.guard: `list_streets` refuses a call that carries none), so the route's handler is
wrapped to put a fixed caller (a city administrator, the role of the benchmark's accounts) into
the RPC context, as Call.admit does after a successful token check, before the route's own
handler runs.
"""
import functools

from contracts.access import CITY_ADMIN, Caller
from gateway.routes import ROUTES

PATH = "/api/v1/districts/<district_code>/streets"
BENCH_CALLER = Caller(0, "bench", CITY_ADMIN, "")


def _without_token_check(route):
    handler = route.handler

    @functools.wraps(handler)  # Route.name (audit lines, metrics) comes from the handler's name
    def as_bench_caller(call, **values):
        call.service.caller_context(BENCH_CALLER)
        return handler(call, **values)

    route.handler = as_bench_caller
    route.scope, route.roles = "public", ()


_without_token_check(next(r for r in ROUTES if r.method == "GET" and r.path == PATH))

# imported after the patch: nameko finds the service class here, and the route table it
# dispatches through is the one patched above
from gateway.service import GatewayService  # noqa: E402,F401
