"""The one table that maps errors to HTTP. A client gets a Chinese message for people, a stable
English code for programs and the request id; never a stack trace."""
import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from werkzeug.exceptions import HTTPException

from contracts import errors
from toolkit.nameko_fixes import HTTP_CODES

log = logging.getLogger(__name__)

STATUS = {
    errors.ValidationFailed: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.ReadOnly: 409,
    # a step the record's state does not allow: a conflict with the resource's state (RFC 9110
    # §15.5.10), like a duplicate; 422 would say the request itself cannot be processed
    errors.InvalidState: 409,
    errors.Throttled: 429,
    errors.Unavailable: 503,
}

# the broker or a service is away: the request did not happen (or its answer was lost); retry
UNAVAILABLE = (AmqpConnectionError, OperationalError, OSError, RpcTimeout, UnknownService)

def error_response(exc, request_id):
    """(status, body) for any exception raised while serving a request."""
    for exc_type in type(exc).__mro__:
        if exc_type in STATUS:
            return STATUS[exc_type], {"error": exc.to_dict(), "request_id": request_id}
    if isinstance(exc, errors.DomainError):
        return 400, {"error": exc.to_dict(), "request_id": request_id}
    if isinstance(exc, HTTPException) and exc.code in HTTP_CODES:
        code, message = HTTP_CODES[exc.code]
        return exc.code, {"error": {"code": code, "message": message}, "request_id": request_id}
    if isinstance(exc, UNAVAILABLE):
        log.warning("request %s: a service or the broker is unavailable: %r", request_id, exc)
        return 503, {"error": {"code": "service_unavailable", "message": "服务暂时不可用，请稍后重试"},
                     "request_id": request_id}
    if isinstance(exc, RemoteError):
        log.error("request %s: remote error %s", request_id, exc)
    else:
        log.exception("request %s: unexpected error", request_id)
    return 500, {"error": {"code": "internal_error", "message": "服务器内部错误，请稍后再试；如持续出现请联系运维并提供请求编号"},
                 "request_id": request_id}
