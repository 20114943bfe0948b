"""The gateway: the platform's only HTTP door.

One nameko @http entrypoint takes every /api request and dispatches it through the route table
(gateway.routes): validation of body and query with the contract schemas, the call to the
services over RPC, JSON out, and every error through the one table of gateway.errors. Each
response carries X-Request-Id, which also travels to the services in the RPC context.
"""
import json
import warnings
import logging
import uuid
from datetime import date, datetime
from decimal import Decimal

import eventlet
from nameko.exceptions import RpcTimeout
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

import toolkit.errors  # noqa: F401  (typed remote errors)
from toolkit.config import env
from toolkit.metrics import Metrics
from toolkit.validation import invalid, load

from .errors import error_response
from .openapi import build_spec
from .routes import ROUTES

log = logging.getLogger(__name__)

RPC_TIMEOUT = float(env("GATEWAY_RPC_TIMEOUT", "15"))
# nameko asks for mandatory delivery of every RPC and warns, on every call, that it cannot be
# checked without confirms: see the proxy below for why they are off
warnings.filterwarnings("ignore", message="Mandatory delivery was requested")
MAX_JSON_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_TYPES = {".csv", ".xlsx"}

URLS = Map([Rule(r.path, endpoint=i, methods=[r.method]) for i, r in enumerate(ROUTES)], strict_slashes=False)


def _default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(type(value).__name__)


def json_response(status, body, request_id):
    return Response(json.dumps(body, ensure_ascii=False, default=_default), status=status,
                    mimetype="application/json", headers={"X-Request-Id": request_id})


class RequestId(DependencyProvider):
    """Gives each request an id (the client's X-Request-Id if sane) and puts it in the worker's
    context data, which nameko passes on with every RPC the worker makes."""

    def get_dependency(self, worker_ctx):
        request = worker_ctx.args[0] if worker_ctx.args else None
        given = getattr(request, "headers", {}).get("X-Request-Id", "")
        request_id = given if 8 <= len(given) <= 64 and given.isprintable() else uuid.uuid4().hex
        worker_ctx.data["request_id"] = request_id
        return request_id


class Timed:
    """A service proxy whose calls give up after RPC_TIMEOUT seconds (nameko's in-service proxy
    would wait forever for a service that is down). The request message expires with the same
    timeout, so a call the client was told failed is not carried out later."""

    def __init__(self, proxy):
        self.proxy = proxy

    def __getattr__(self, method):
        def call(*args, **kwargs):
            reply = getattr(self.proxy, method).call_async(*args, **kwargs)
            try:
                with eventlet.Timeout(RPC_TIMEOUT):
                    return reply.result()
            except eventlet.Timeout:
                self._forget(reply)
                raise RpcTimeout(f"{self.proxy.service_name}.{method}") from None
        return call

    def _forget(self, reply):
        """An expired request is never answered: drop its waiting entry, or the reply listener
        keeps one for every call that timed out."""
        waiting = self.proxy.reply_listener._reply_events
        for correlation_id, event in list(waiting.items()):
            if event is reply.reply_event:
                del waiting[correlation_id]


class Call:
    """What a route handler sees: validated body and query, and the services."""

    def __init__(self, service, request, route):
        self.request = request
        self.registration = Timed(service.registration)
        self.query = load(route.query, request.args.to_dict()) if route.query else {}
        self.body = _json_body(request, route.body) if route.body else None
        self.upload = _upload(request, self.query) if route.upload else None


def _json_body(request, schema):
    if request.content_length and request.content_length > MAX_JSON_BYTES:
        raise RequestEntityTooLarge()
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
        raise RequestEntityTooLarge()
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise invalid("_", "bad_json", "", "请求体不是有效的 JSON") from None
    load(schema, body)  # raises ValidationFailed naming each field; the service validates again
    return body


def _upload(request, query):
    if request.content_length and request.content_length > MAX_UPLOAD_BYTES:
        raise RequestEntityTooLarge()
    if request.mimetype == "multipart/form-data":
        f = request.files.get("file")
        if f is None:
            raise invalid("file", "file_missing", "", "表单中缺少名为 file 的文件")
        filename, content = f.filename or "", f.read(MAX_UPLOAD_BYTES + 1)
    else:
        filename, content = query.get("filename") or "", request.get_data()
    if len(content) > MAX_UPLOAD_BYTES:
        raise RequestEntityTooLarge()
    if not any(filename.lower().endswith(ext) for ext in UPLOAD_TYPES):
        raise UnsupportedMediaType()
    if not content:
        raise invalid("file", "empty_file", "", "上传的文件为空")
    return filename, content


class GatewayService:
    name = "gateway"

    # transient and unconfirmed: a request that expires in RPC_TIMEOUT needs no disk, and waiting
    # for the broker's confirm of every request cost a third of the gateway's throughput
    # (bench/gateway_bench.py). The price: a call to a service that was never deployed is no
    # longer refused at once (UnknownService) but times out, and is answered 503 all the same.
    registration = RpcProxy("registration", expiration=RPC_TIMEOUT, delivery_mode=1, use_confirms=False)
    request_id = RequestId()
    metrics = Metrics()

    @http("GET,POST,PUT,PATCH,DELETE", "/api/<path:rest>")
    def api(self, request, rest):
        try:
            endpoint, values = URLS.bind_to_environ(request.environ).match()
            route = ROUTES[endpoint]
            result = route.handler(Call(self, request, route), **values)
            return json_response(route.status, result, self.request_id)
        except Exception as exc:  # every refusal in one shape, from one table
            status, body = error_response(exc, self.request_id)
            return json_response(status, body, self.request_id)

    @http("GET", "/openapi.json")
    def openapi(self, request):
        return json_response(200, SPEC, self.request_id)

    @http("GET", "/docs")
    def docs(self, request):
        return Response(DOCS_PAGE, mimetype="text/html")

    @http("GET", "/metrics")
    def metrics_endpoint(self, request):
        return self.metrics.response()

    @http("GET", "/health")
    def health(self, request):
        return 200, "ok"


SPEC = build_spec(ROUTES)

# A page that lists every route from the generated document; no assets from the network.
DOCS_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>双报到 API</title>
<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}code{background:#f4f4f4;padding:2px 4px}
.m{display:inline-block;width:4em;font-weight:bold}.GET{color:#2a7}.POST{color:#27c}pre{background:#f8f8f8;padding:1em;overflow:auto}</style>
</head><body><h1>双报到 平台 API</h1><p>机器可读文档：<a href="/openapi.json">/openapi.json</a></p><div id="r"></div>
<script>fetch('/openapi.json').then(r=>r.json()).then(s=>{const d=document.getElementById('r');
for(const [p,ops] of Object.entries(s.paths)){for(const [m,o] of Object.entries(ops)){const e=document.createElement('details');
e.innerHTML='<summary><span class="m '+m.toUpperCase()+'">'+m.toUpperCase()+'</span><code>'+p+'</code> '+o.summary+'</summary><pre>'+
JSON.stringify({parameters:o.parameters,requestBody:o.requestBody,responses:Object.keys(o.responses)},null,1)+'</pre>';d.appendChild(e);}}});</script>
</body></html>"""
