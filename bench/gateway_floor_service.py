"""The floor of the gateway benchmark: what the architecture costs before any work is done.

    cd bench && AMQP_URI=... ../.venv/bin/nameko run --config ../services/registration/config.yaml \
        gateway_floor_service:FloorCore
    cd bench && GATEWAY_ADDRESS=127.0.0.1:18282 AMQP_URI=... ../.venv/bin/nameko run \
        --config ../gateway/config.yaml gateway_floor_service:FloorEdge

Two processes, as the gateway and the registration service are: an @http route that decodes the
same JSON body a registration carries and passes it over one nameko RPC to a second service,
which returns a small dict; the edge encodes it as the gateway does. No validation, no database,
no event. Both take the platform's cheapest settings (the toolkit's transient, unconfirmed RPC
requests and replies), so a registration cannot be faster than this on the same machine: if this
floor is under the goal's share of the bare route, no registration code can meet the goal.
"""
import json

from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http
from werkzeug.wrappers import Response

import toolkit.errors  # noqa: F401  (applies toolkit.nameko_fixes: transient, unconfirmed replies)


class FloorCore:
    name = "floor_core"

    @rpc
    def echo(self, body):
        return {"registration_id": 1, "certificate_no": "2026-410106001001-000001-0", "fields": len(body)}


class FloorEdge:
    name = "floor_edge"
    # the gateway's own proxy settings (gateway/service.py)
    core = RpcProxy("floor_core", expiration=15, delivery_mode=1, use_confirms=False)

    @http("POST", "/api/v1/communities/<community_code>/member-registrations")
    def register(self, request, community_code):
        body = json.loads(request.get_data())
        body["community_code"] = community_code
        out = self.core.echo(body)
        return Response(json.dumps(out, ensure_ascii=False), status=201, mimetype="application/json")

    @http("GET", "/health")
    def health(self, request):
        return 200, "ok"
