"""Fixes to nameko 2.14.1, applied when the toolkit is imported.

When the broker restarts while a worker runs, the worker's final ack (or requeue) is written to
a dead socket. nameko ignores amqp's ConnectionError there but not the OSError a reset socket
raises (ConnectionResetError, BrokenPipeError), so the exception kills the whole container: one
broker restart took the registration service down in our end-to-end test. The broker has
already taken the message back and will deliver it again, so there is nothing to ack: ignore
socket errors too, as nameko intends for connection errors.
"""
import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from nameko.messaging import QueueConsumer

_SOCKET_GONE = (AmqpConnectionError, OSError)
_log = logging.getLogger(__name__)


def _ignoring_a_gone_socket(action):
    def settle(self, message):
        if message.channel.connection:
            try:
                getattr(message, action)()
            except _SOCKET_GONE:
                pass
    return settle


QueueConsumer.ack_message = _ignoring_a_gone_socket("ack")
QueueConsumer.requeue_message = _ignoring_a_gone_socket("requeue")


# RPC replies: nameko publishes each one persistent and waits for the broker's confirm. A reply
# is read within milliseconds by a caller that is waiting for it; if it is lost (broker restart),
# the caller times out and says so (503), and the work the reply reports is committed either way.
# Neither disk nor a confirm round trip buys anything, and together they cost ~15% of a request.
from nameko import rpc as _nameko_rpc  # noqa: E402
from nameko.amqp.publish import Publisher as _Publisher  # noqa: E402


class _ReplyPublisher(_Publisher):
    use_confirms = False
    delivery_mode = 1  # transient


_nameko_rpc.Responder.publisher_cls = _ReplyPublisher


# The same broker restart, a moment later: a worker finishes while the broker is away and its
# reply cannot be published. nameko lets that error kill the container. The caller can no longer
# receive the reply anyway (it times out and answers 503), and the work is committed or rolled
# back already: log it and carry on, so the service is there when the broker is back.
from kombu.exceptions import OperationalError as _KombuOperationalError  # noqa: E402

_send_response = _nameko_rpc.Responder.send_response


def _send_response_or_log(self, result, exc_info):
    try:
        return _send_response(self, result, exc_info)
    except (_KombuOperationalError,) + _SOCKET_GONE as exc:
        _log.warning("RPC reply to %s lost, the broker is away: %s",
                     self.message.properties.get("reply_to"), exc)
        return result, exc_info


_nameko_rpc.Responder.send_response = _send_response_or_log


# Two stop requests (Ctrl-C reaches `nameko run` and its parent script, which also sends SIGTERM;
# or an operator's second SIGTERM) run the container's stop twice. nameko's Timer then sends its
# stop event a second time, the AssertionError ends that stop half-way, and the process never
# exits: `make run` hung on Ctrl-C. A timer already told to stop only waits for its loop to end.
from nameko.timer import Timer as _Timer  # noqa: E402

_timer_stop = _Timer.stop


def _stop_once(self):
    if self.should_stop.ready():
        self.gt.wait()
        return
    _timer_stop(self)


_Timer.stop = _stop_once


# The timer was not the only extension whose stop breaks when run twice at once (the consumers'
# stops wait for each other and never return; `make run` still hung on Ctrl-C). So the container
# stops once: a second request waits for the first to finish.
from nameko.containers import ServiceContainer as _Container  # noqa: E402

_container_stop = _Container.stop


def _container_stop_once(self):
    if getattr(self, "_stop_requested", False):
        self._died.wait()
        return
    self._stop_requested = True
    _container_stop(self)


_Container.stop = _container_stop_once


# Every message and HTTP request has its arguments checked against the entrypoint's signature
# (nameko raises IncorrectSignature rather than run a worker that would fail). nameko does it with
# inspect.getcallargs, which rebuilds the signature each time: a measurable share of a request.
# The same check with each method's signature built once: Signature.bind refuses the same calls
# with a TypeError (worded a little differently).
import inspect as _inspect  # noqa: E402

from nameko.exceptions import IncorrectSignature as _IncorrectSignature  # noqa: E402
from nameko.extensions import Entrypoint as _Entrypoint  # noqa: E402

_signatures = {}


def _check_signature_once(self, args, kwargs):
    fn = getattr(self.container.service_cls, self.method_name)
    signature = _signatures.get(fn)
    if signature is None:
        signature = _signatures[fn] = _inspect.signature(fn, follow_wrapped=False)  # as getcallargs
    try:
        signature.bind(None, *args, **kwargs)  # None: the unbound method's `self`
    except TypeError as exc:
        raise _IncorrectSignature(str(exc))


_Entrypoint.check_signature = _check_signature_once


# Routing refusals in the platform's error shape. nameko's web server answers a URL no entrypoint
# matches (a path parameter with a newline in it: werkzeug's converters stop at "\n") and a method
# the route does not take with werkzeug's HTML pages, and a 405 without the Allow header RFC 9110
# asks for. Every answer of the platform is JSON ({"error": {code, message}}), a 405 says what is
# allowed, and the gateway's own refusals use the same table (gateway.errors).
import json as _json  # noqa: E402
import uuid as _uuid  # noqa: E402

from nameko.web import server as _web_server  # noqa: E402
from werkzeug.exceptions import HTTPException as _HTTPException, MethodNotAllowed as _MethodNotAllowed  # noqa: E402
from werkzeug.wrappers import Request as _Request, Response as _Response  # noqa: E402

HTTP_CODES = {  # werkzeug's own refusals (routing, body size)
    400: ("bad_request", "请求格式不正确"),
    404: ("not_found", "没有这个地址"),
    405: ("method_not_allowed", "该地址不支持此方法"),
    413: ("payload_too_large", "请求体过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
}


def http_refusal(exc, **extra):
    """A JSON answer for one of werkzeug's HTTPExceptions, with Allow on a 405: the platform's
    error shape, request_id included (the one the caller sent, or a new one)."""
    code, message = HTTP_CODES.get(exc.code, (str(exc.name).lower().replace(" ", "_"), "请求未被接受"))
    request_id = extra.pop("request_id", None) or _uuid.uuid4().hex
    response = _Response(_json.dumps({"error": {"code": code, "message": message}, "request_id": request_id, **extra},
                                     ensure_ascii=False),
                         status=exc.code, mimetype="application/json", headers={"X-Request-Id": request_id})
    if isinstance(exc, _MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response


def _given_request_id(environ):
    given = environ.get("HTTP_X_REQUEST_ID", "")   # as the gateway takes one (gateway.service.RequestId)
    return given if 8 <= len(given) <= 64 and given.isprintable() else None


def _routed_in_json(self, environ, start_response):
    request = _Request(environ, shallow=True)   # as nameko's own: nobody reads the body before routing
    try:
        provider, values = self.url_map.bind_to_environ(environ).match()
    except _HTTPException as exc:
        return http_refusal(exc, request_id=_given_request_id(environ))(environ, start_response)
    request.path_values = values
    try:
        answer = provider.handle_request(request)
    except _HTTPException as exc:
        answer = http_refusal(exc, request_id=_given_request_id(environ))
    return answer(environ, start_response)


_web_server.WsgiApp.__call__ = _routed_in_json


# Queues of the kind the deployment asks for (toolkit/queues.py): nameko builds its event handlers'
# and RPC services' queues in setup and declares them at start; give them their arguments between.
from nameko import events as _nameko_events  # noqa: E402

from . import queues as _queues  # noqa: E402


def _with_queue_kind(setup):
    def setup_then_prepare(self):
        setup(self)
        if getattr(self, "queue", None) is not None:
            _queues.prepare(self.queue, self.container.config["AMQP_URI"])
    return setup_then_prepare


_nameko_events.EventHandler.setup = _with_queue_kind(_nameko_events.EventHandler.setup)
_nameko_rpc.RpcConsumer.setup = _with_queue_kind(_nameko_rpc.RpcConsumer.setup)
