"""The gateway: the platform's only HTTP door.

One nameko @http entrypoint takes every /api request and dispatches it through the route table
(gateway.routes): the caller's token, role and scope (Call.admit), validation of body and query
with the contract schemas, the call to the services over RPC with the caller in its context,
paging, masking of personal data and the audit line, JSON out, and every error through the one
table of gateway.errors. Each response carries X-Request-Id, which also travels to the services
in the RPC context and stands on every log line of the request.
"""
import json
import logging
import re
import time
import uuid
import warnings
from datetime import date, datetime, timedelta
from decimal import Decimal

import eventlet
import eventlet.event
import eventlet.queue
from eventlet import tpool
from nameko.exceptions import RpcTimeout
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from sqlalchemy import insert, text
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

import toolkit.errors  # noqa: F401  (typed remote errors)
from contracts.access import (CONTEXT_KEY, MEMBER, ROLE_NAMES, UNIT_OFFICER, Caller, require, require_context_lifetime,
                              require_context_secret)
from contracts.errors import Forbidden, NotFound, Throttled, Unauthenticated
from contracts.written import normalize
from toolkit.config import env, now
from toolkit.db import Store, pool_limit
from toolkit import logcontext, remote
from toolkit.metrics import Metrics
from toolkit.runtime import tune_gc
from toolkit.validation import invalid, load

from . import console, privacy, transfer
from .accounts import Settings, caller_from_token, revoked_since
from .coalesce import Coalescer
from .errors import error_response
from .models import audit_log, metadata
from .nodes import Nodes
from .asyncapi import build_catalog
from .openapi import UPLOAD_TYPES, build_spec
from .paging import page_of
from .routes import ROUTES, SCOPE_PARAMS
from .throttle import AddressThrottle, check_throttle, login_throttle

log = logging.getLogger(__name__)
access_log = logging.getLogger("gateway.access")
# query parameters whose values the access log shows; the others (a file's name, an officer's name,
# a username searched for) are logged as `key=…`: logs travel further than the audit log does
_LOGGED_QUERY_VALUES = frozenset(("page", "page_size", "sort", "year", "status", "overdue", "days", "period", "kind",
                                  "limit", "role", "personal_data"))


def _logged_path(request):
    if not request.args:
        return request.path
    return request.path + "?" + "&".join(
        f"{key}={value if key in _LOGGED_QUERY_VALUES else '…'}" for key, value in request.args.items(multi=True))

RPC_TIMEOUT = float(env("GATEWAY_RPC_TIMEOUT", "15"))
# nameko asks for mandatory delivery of every RPC and warns, on every call, that it cannot be
# checked without confirms: see the proxy below for why they are off
warnings.filterwarnings("ignore", message="Mandatory delivery was requested")
MAX_JSON_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

MAX_ID = 2**63 - 1   # PostgreSQL's bigint: every id of the platform
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

    def worker_setup(self, worker_ctx):
        # every log line of the request carries the id (toolkit.logcontext)
        logcontext.bind(worker_ctx.data.get("request_id"))

    def worker_teardown(self, worker_ctx):
        logcontext.bind(None)


class Timed:
    """A service proxy whose calls give up after RPC_TIMEOUT seconds (nameko's in-service proxy
    would wait forever for a service that is down). The request message expires with the same
    timeout, so a call the client was told failed is not carried out later. `sign`, if given, signs
    the caller afresh before each call: a context lives for one call (contracts.access.CONTEXT_TTL),
    however many calls a request makes one after another."""

    def __init__(self, proxy, sign=None):
        self.proxy = proxy
        self.sign = sign

    def __getattr__(self, method):
        def call(*args, **kwargs):
            if self.sign is not None:
                self.sign()
            reply = getattr(self.proxy, method).call_async(*args, **kwargs)
            try:
                with eventlet.Timeout(RPC_TIMEOUT):
                    return reply.result()
            except eventlet.Timeout:
                self._forget(reply)
                raise RpcTimeout(f"{self.proxy.service_name}.{method}") from None
        return call

    def _forget(self, reply):
        remote.forget(self.proxy, reply)


def _storable(value):
    """A value PostgreSQL can store. A NUL (a path like /communities/%00/..., refused before any
    login) cannot be, and would cost the line; it is kept as the four characters \\x00."""
    if isinstance(value, str):
        return value.replace("\x00", "\\x00")
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


class AuditLines:
    """Group commit of audit lines. Each request hands its line over and waits until the line is
    committed, as if it had written it itself; one green thread writes whatever lines are waiting
    in one INSERT, committed by itself (its own connection, in autocommit: one round trip). Alone,
    a line is written at once; under load, the lines of the requests that arrived while the last
    batch was written go together (a round trip, a plan and a commit each cost the gateway and
    PostgreSQL more than the line itself)."""

    MAX_BATCH = 500
    WAIT = 10.0  # a request waits this long for its line, then fails as if its own INSERT had
    COLUMNS = ("account_id", "username", "role", "scope", "action", "method", "path", "status",
               "personal_data", "personal_fields", "subjects", "client_ip", "request_id")

    def __init__(self, engine):
        self.engine = engine
        self._conn = None  # the writer's own, held while it runs: autocommit set once, not per batch
        self.waiting = eventlet.queue.LightQueue()
        self.running = True
        # the timeout with the insert, in one round trip and one (implicit) transaction: a session
        # SET would stay on a pooler's server connection and reach other clients (PgBouncer)
        self._sql = (f"SET LOCAL statement_timeout = '5s'; "
                     f"INSERT INTO gateway.audit_log ({', '.join(self.COLUMNS)}) VALUES %s")
        self._row = "(" + ", ".join(["%s"] * len(self.COLUMNS)) + ")"

    def write(self, row):
        """Returns once the line is committed; raises what its commit raised."""
        done = eventlet.event.Event()
        self.waiting.put((tuple(_storable(row[c]) for c in self.COLUMNS), done))
        with eventlet.Timeout(self.WAIT, False):
            error = done.wait()
            if error is not None:
                raise error
            return
        raise TimeoutError(f"audit line not committed within {self.WAIT:g}s")

    def run(self):
        while self.running or self.waiting.qsize():
            try:
                batch = [self.waiting.get(timeout=0.5)]
            except eventlet.queue.Empty:
                continue
            while len(batch) < self.MAX_BATCH and self.waiting.qsize():
                batch.append(self.waiting.get_nowait())
            try:
                self._insert([line for line, _ in batch])
                errors = [None] * len(batch)
            except Exception:  # find the line(s) at fault: the others must not go unrecorded with it
                self._drop_connection()
                errors = []
                for line, _ in batch:
                    try:
                        self._insert([line])
                        errors.append(None)
                    except Exception as exc:  # the request logs it (GatewayService._audit)
                        self._drop_connection()
                        errors.append(exc)
            for (_, done), error in zip(batch, errors):
                done.send(error)
        self._drop_connection()

    def _insert(self, lines):
        if self._conn is None:
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        cursor = self._conn.connection.dbapi_connection.cursor()
        values = b",".join(cursor.mogrify(self._row, line) for line in lines)
        cursor.execute(self._sql.encode() % values)

    def _drop_connection(self):
        if self._conn is not None:
            try:
                self._conn.invalidate()  # a failed or finished writer's connection is not reused
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def stop(self):
        """Ends the loop once no line waits. Called when the gateway's dependencies stop, that is
        after its workers have finished, each only once its line was committed: none is left."""
        self.running = False


class Gate(DependencyProvider):
    """The gateway's own state, one per process: its schema (accounts, sessions, audit log), the
    token settings, the sessions revoked lately (reloaded every REVOKED_RELOAD seconds, so a
    logout or revocation on any replica reaches this one), the login throttle, the units'
    communities (for the scope check of unit routes) and the administrative tree's codes (for
    the check that the node a path names exists: gateway.nodes)."""
    REVOKED_RELOAD = 2.0
    UNIT_TTL = 60.0

    def setup(self):
        config = self.container.config
        # The gateway's own commits do not wait for the disk (synchronous_commit=off: flushed
        # within wal_writer_delay, 200 ms). What a crash of the database server could lose in
        # that moment: a write's audit line (the write's event is in its service's outbox
        # regardless), a session (its holder signs in again), a failed-login count. A line
        # recording a read of personal data is the exception: it waits for the disk (audit()).
        self.store = Store("gateway", metadata, url=config.get("DATABASE_URL"), relay=False,
                           pool_size=pool_limit(int(config.get("max_workers", 10))), max_overflow=0,
                           connect_args={"options": "-c timezone=Asia/Shanghai -c synchronous_commit=off"})
        self.settings = Settings()
        self.revoked, self.local = set(), {}
        self.login_throttle = login_throttle(int(config.get("LOGIN_ADDRESS_LIMIT", 20)))
        self.check_throttle = check_throttle(int(config.get("CHECK_ADDRESS_LIMIT", 30)))
        self.qr_throttle = AddressThrottle(120, 60, "too_many_requests", "请求过于频繁，请稍后再试")
        self.public_throttle = AddressThrottle(int(config.get("PUBLIC_ADDRESS_LIMIT", 60)), 60, "too_many_requests",
                                               "请求过于频繁，请稍后再试")
        self.unit_communities = {}
        self.nodes = Nodes()  # the tree's codes, for the check that a path's node exists
        self.lines = AuditLines(self.store.engine)
        # member reports travel together under load (gateway.coalesce)
        self.reports = Coalescer(in_flight=int(config.get("REPORTS_IN_FLIGHT", 1)),
                                 max_batch=int(config.get("REPORTS_BATCH", 50)), wait=RPC_TIMEOUT)
        self._running = True
        tune_gc()

    def start(self):
        self.container.spawn_managed_thread(self._reload_revoked, identifier="revoked_sessions")
        self.container.spawn_managed_thread(self.lines.run, identifier="audit_lines")

    def stop(self):
        self._running = False
        self.lines.stop()
        self.store.dispose()

    kill = stop

    def _reload_revoked(self):
        while self._running:
            try:
                since = now() - timedelta(seconds=self.settings.access_ttl + 60)
                with self.store.engine.connect() as conn:
                    fresh = revoked_since(conn, since)
                # a revocation made here while the query ran is kept until the next reload
                recent = time.monotonic() - 10
                self.local = {sid: t for sid, t in self.local.items() if t > recent}
                self.revoked = fresh | set(self.local)
            except Exception:  # the database is away: keep the last set, try again
                log.warning("could not reload revoked sessions", exc_info=True)
            eventlet.sleep(self.REVOKED_RELOAD)

    def revoke_now(self, session_ids):
        """Sessions ended by this process: refused here at once, on other replicas after a reload."""
        at = time.monotonic()
        for sid in session_ids:
            self.local[sid] = at
        self.revoked = self.revoked | set(session_ids)

    @staticmethod
    def off_hub(fn, *args):
        """Run CPU-bound work (password hashing) in a native thread, off the eventlet hub."""
        return tpool.execute(fn, *args)

    def unit_community(self, registration, unit_id):
        cached = self.unit_communities.get(unit_id)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        code = registration.unit_scope(unit_id)["community_code"]
        self.unit_communities[unit_id] = (code, time.monotonic() + self.UNIT_TTL)
        return code

    def audit(self, durable=False, **row):
        """One line, committed before the answer leaves. A read of personal data waits for the
        disk too (it is not answered unless on record); the lines of writes and refusals are
        committed together with those of the requests alongside (AuditLines)."""
        if durable:
            with self.store.engine.begin() as conn:
                conn.execute(text("SET LOCAL synchronous_commit = on"))
                conn.execute(insert(audit_log).values(**{k: _storable(v) for k, v in row.items()}))
            return
        self.lines.write(row)

    def get_dependency(self, worker_ctx):
        return self


class CallerContext(DependencyProvider):
    """Puts the authenticated caller in the worker's context data, which nameko sends with every
    RPC the worker makes: the services read it back (toolkit.caller) and check it again."""

    def setup(self):
        require_context_secret()  # it signs every caller: fail at start, not at the first request
        # a member report's caller is signed when it joins the line (gateway.coalesce): it waits
        # up to RPC_TIMEOUT there, then its call waits up to as long again
        require_context_lifetime(2 * RPC_TIMEOUT, f"GATEWAY_RPC_TIMEOUT={RPC_TIMEOUT:g} (a member report waits "
                                 f"in line up to it, then for its call up to as long again: 2 × {RPC_TIMEOUT:g}s)")

    def get_dependency(self, worker_ctx):
        def set_caller(caller):
            worker_ctx.data[CONTEXT_KEY] = caller.to_context()
        return set_caller


TRUSTED_PROXIES = int(env("GATEWAY_TRUSTED_PROXIES", "0"))
PUBLIC_READER = Caller(0, "system:public", MEMBER, "0")   # a member of nothing: it sees only what all may


def client_address(request):
    """The caller's address: the peer's, or, behind TRUSTED_PROXIES proxies of our own, the one
    the outermost of them saw (the last N entries of X-Forwarded-For are theirs; anything to the
    left of those the client wrote itself, and must not choose its own throttle or audit line)."""
    if TRUSTED_PROXIES:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if len(hops) >= TRUSTED_PROXIES:
            return hops[-TRUSTED_PROXIES][:64]
    return (request.remote_addr or "")[:64]


class Call:
    """What a route handler sees: the caller (checked against the route's roles and scope),
    validated body and query, and the services."""

    def __init__(self, service, request, route, values):
        self.service, self.request, self.route, self.values = service, request, route, values
        self.gateway = service.gate
        self.client_ip = client_address(request)
        self.caller, self.session_id, self.audit_username = None, None, None
        self.registration = Timed(service.registration, self._sign)
        self.volunteering = Timed(service.volunteering, self._sign)
        self.scoring = Timed(service.scoring, self._sign)
        self.feedback = Timed(service.feedback, self._sign)
        self.documents = Timed(service.documents, self._sign)
        self.query, self.body, self.data, self.upload = {}, None, None, None

    def _sign(self):
        """The caller, signed for the call about to be made (none before authentication)."""
        if self.caller is not None:
            self.service.caller_context(self.caller)

    def admit(self):
        """Who is calling, may they, and is their input right: in that order, so that a caller
        outside the route's scope learns nothing, not even which of its fields are wrong."""
        route, request = self.route, self.request
        _check_text({k: v for k, v in self.values.items() if isinstance(v, str)})
        if not route.public:
            self.caller, self.session_id = self._authenticate()
            self.service.caller_context(self.caller)
            self._authorize()
            # the node the path names exists (after the scope check: a foreign code is refused 403 first)
            self.gateway.nodes.check(route, self.values, self.registration.node_codes)
        args = request.args.to_dict()
        _check_text(args)
        self.query = load(route.query, args) if route.query else {}
        # `body` as sent (to pass on to a service, which loads it itself), `data` as loaded here
        # (defaults filled in, for the routes the gateway answers itself)
        self.body, self.data = _json_body(request, route.body) if route.body else (None, None)
        self.upload = _upload(request, self.query) if route.upload else None
        return self

    def _authenticate(self):
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("missing_token", "请先登录：请求头需带 Authorization: Bearer <访问令牌>")
        caller, sid = caller_from_token(self.gateway.settings, token.strip())
        if sid in self.gateway.revoked:
            raise Unauthenticated("session_revoked", "会话已结束（已退出或被吊销），请重新登录")
        return caller, sid

    def _authorize(self):
        route, caller = self.route, self.caller
        if caller.role not in route.roles:
            raise Forbidden("role_not_allowed", f"{ROLE_NAMES[caller.role]}账号无权使用此功能")
        if route.scope in ("district", "street", "community"):
            code = next(self.values[k] for k in SCOPE_PARAMS[route.scope] if k in self.values)
            require(caller, caller.covers_area(code))
        elif route.scope == "unit":
            unit_id = self.values["unit_id"]
            if caller.role == UNIT_OFFICER:
                require(caller, caller.covers_unit(unit_id))
            else:  # an officer above: where does the unit sit? A unit outside the officer's area is
                # "not found", like one that does not exist: unit ids cannot be probed
                require(caller, True)
                if not caller.covers_unit(unit_id, self.gateway.unit_community(self.registration, unit_id)):
                    raise NotFound(message=f"单位 {unit_id} 不存在")

    def as_public_reader(self):
        """A route without login asks a service as the gateway's public reader: a caller of its own,
        bound to nothing, so that a service still refuses any message without a caller, and the
        public answers (the board on a hall's screen) say who asked."""
        self.caller = PUBLIC_READER

    def audit_as(self, username):
        """Name the account an unauthenticated request tried (a failed login)."""
        self.audit_username = username

    @property
    def sort(self):
        """The page's sort key ('-' first for descending), one of the route's; its first by default."""
        wanted = self.query.get("sort") or self.route.sort[0]
        if wanted not in self.route.sort:
            raise invalid("sort", "bad_sort", "", f"排序字段应为 {'、'.join(self.route.sort)} 之一")
        return wanted

    def sort_column(self, table):
        key = self.sort
        return table.c[key.lstrip("-")], key.startswith("-")


def _subjects_of(values, result):
    """Whose records a write touched, for the audit search: ids named in the path or returned."""
    found = {f"{k.removesuffix('_id')}:{v}" for k, v in values.items() if k in ("unit_id", "registration_id", "account_id")}
    if isinstance(result, dict):
        # ... and a rule version published (S7), so the audit search finds who published which
        found |= {f"{k.removesuffix('_id')}:{result[k]}" for k in ("member_id", "registration_id", "unit_id",
                                                                   "rule_version")
                  if result.get(k) is not None}
    return sorted(found)


def _json_body(request, schema):
    request.max_content_length = MAX_JSON_BYTES  # enforced while reading, chunked bodies too
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw or b"null")
    except (ValueError, RecursionError):
        raise invalid("_", "bad_json", "", "请求体不是有效的 JSON") from None
    _check_text(body)
    # as people write them (男, 1985/4/3): the body passed on is the platform's values; raises
    # ValidationFailed naming each field, and the service validates the body again
    body = normalize(schema, body)
    return body, load(schema, body)


_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def _check_text(value, field="_"):
    """No NUL and no lone surrogate anywhere: PostgreSQL cannot store them, and no form needs them."""
    if isinstance(value, str):
        if _BAD_TEXT.search(value):
            raise invalid(field, "bad_text", "", "文字中含有不允许的控制字符或无效编码")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(k, field)
            _check_text(v, k if field == "_" else f"{field}.{k}")
    elif isinstance(value, list):
        for v in value:
            _check_text(v, field)


def _upload(request, query):
    request.max_content_length = MAX_UPLOAD_BYTES
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
    volunteering = RpcProxy("volunteering", expiration=RPC_TIMEOUT, delivery_mode=1, use_confirms=False)
    scoring = RpcProxy("scoring", expiration=RPC_TIMEOUT, delivery_mode=1, use_confirms=False)
    feedback = RpcProxy("feedback", expiration=RPC_TIMEOUT, delivery_mode=1, use_confirms=False)
    documents = RpcProxy("documents", expiration=RPC_TIMEOUT, delivery_mode=1, use_confirms=False)
    request_id = RequestId()
    caller_context = CallerContext()
    gate = Gate()
    metrics = Metrics()

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", "/api/<path:rest>")   # OPTIONS: answered 405 with the route's own Allow
    def api(self, request, rest):
        started = time.perf_counter()
        response = transfer.compress(request, transfer.private(self._api(request)))
        # the access line, written here so that it carries the request id (and who asked);
        # nameko's own access log (nameko.web.server) is written outside the worker and is off
        call = getattr(self, "_call", None)
        caller = call.caller if call else None
        access_log.info("%s %s %s %.1fms %s", request.method, _logged_path(request), response.status_code,
                        1000 * (time.perf_counter() - started),
                        f"{caller.username}({caller.role})" if caller else "-")
        return response

    def _api(self, request):
        call = route = None
        try:
            endpoint, values = URLS.bind_to_environ(request.environ).match()
            route = ROUTES[endpoint]
            if any(isinstance(v, int) and v > MAX_ID for v in values.values()):   # no row has such an id
                raise NotFound(code="not_found", message="不存在")
            call = self._call = Call(self, request, route, values)
            call.admit()
            result = route.handler(call, **values)
            if isinstance(result, Response):  # a picture or a form's file
                # a form with personal data on it (B.1: phone, address) is not handed out unless
                # its reading is on record, as a JSON answer's would be
                shown = getattr(result, "personal_data", ())
                if shown:
                    self._audit(call, route, route.status, shown, _subjects_of(values, None), durable=True)
                result.headers["X-Request-Id"] = self.request_id
                return result
            if route.sort:
                result = page_of(call, result)
            caller = call.caller
            # personal data is masked for roles that do not need it, and its reading is logged
            shown, subjects = privacy.scan(result, masked=not (caller and caller.sees_personal_data))
            if shown:  # not answered unless its reading is on record
                self._audit(call, route, route.status, shown, subjects, durable=True)
            elif route.writes:  # done already (its event is in the service's outbox): answered anyway
                self._audit(call, route, route.status, (), _subjects_of(values, result), quiet=True)
            return json_response(route.status, result, self.request_id)
        except Exception as exc:  # every refusal in one shape, from one table
            status, body = error_response(exc, self.request_id)
            if route is not None and (route.writes or status == 403):
                self._audit(call, route, status, (), _subjects_of(call.values if call else {}, None),
                            request=request, quiet=True)
            response = json_response(status, body, self.request_id)
            if status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="sbd"'
            if status == 429:
                response.headers["Retry-After"] = str(getattr(exc, "retry_after", 60))
            if status == 405 and getattr(exc, "valid_methods", None):   # RFC 9110: say what is allowed
                response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
            return response

    def _audit(self, call, route, status, shown, subjects, request=None, quiet=False, durable=False):
        """One append-only line. A read of personal data that cannot be logged is not answered
        (the error goes up, and its line waits for the disk: `durable`); a write that is done,
        or a refusal, is answered even if its line cannot be written (`quiet`: logged as an
        error instead)."""
        caller = call.caller if call else None
        request = request or call.request
        try:
            self.gate.audit(durable=durable,
                account_id=caller.account_id if caller else None,
                username=caller.username if caller else (call.audit_username if call else None),
                role=caller.role if caller else None, scope=caller.scope if caller else None,
                action=route.name, method=request.method, path=request.path[:300], status=status,
                personal_data=bool(shown), personal_fields=list(shown), subjects=list(subjects),
                client_ip=call.client_ip if call else (request.remote_addr or "")[:64],
                request_id=self.request_id)
        except Exception:
            log.exception("request %s: audit line not written", self.request_id)
            if not quiet:
                raise

    @http("GET", "/check/<number>")
    def certificate_check_page(self, request, number):
        """What a certificate's QR code opens: no login, no personal data (routes.documents)."""
        from .routes.documents import check_page
        try:
            self.gate.check_throttle.hit(client_address(request))
        except Throttled as exc:
            return Response(check_page(None, throttled=True), status=429, mimetype="text/html",
                            headers={"Cache-Control": "no-store", "Retry-After": str(exc.retry_after or 60)})
        try:  # bounded (Timed): anyone may scan, and a service away must not hold the gateway's workers
            found = Timed(self.documents).check_certificate(number, request.args.get("t", ""))
        except NotFound:
            found = None
        except Exception:  # the documents or registration service away, or slow
            log.warning("certificate check of %s unavailable", number[:40], exc_info=True)
            return Response(check_page(None, unavailable=True), status=503, mimetype="text/html",
                            headers={"Cache-Control": "no-store", "Retry-After": "30"})
        return Response(check_page(found), status=200 if found else 404, mimetype="text/html",
                        headers={"Cache-Control": "no-store"})

    @http("GET", "/")
    def home(self, request):
        return Response(status=302, headers={"Location": "/console/"})

    @http("GET", "/console/")
    def console_index(self, request):
        return self.console_file(request, "index.html")

    @http("GET", "/console/<path:name>")
    def console_file(self, request, name):
        """The web console's files (gateway.console); its screens use the API like any client."""
        found = console.file(name)
        if found is None:
            return Response("没有这个页面", status=404, mimetype="text/plain")
        data, kind = found
        return transfer.static(request, data, Response, kind)

    @http("GET", "/qr.svg")
    def qr(self, request):
        """A QR code of ?text= (at most 300 characters), for a screen: the check-in code an
        organizer shows. No data of the platform is in it but what the caller sent."""
        text_ = request.args.get("text", "")
        if not text_ or len(text_) > console.MAX_QR_TEXT:
            return Response("text: 1–300 个字符", status=400, mimetype="text/plain")
        try:
            self.gate.qr_throttle.hit(client_address(request))
        except Throttled as exc:
            return Response("请稍后再试", status=429, headers={"Retry-After": str(exc.retry_after)})
        return Response(console.qr_svg(text_), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})

    @http("GET", "/asyncapi.json")
    def asyncapi(self, request):
        """The event catalog (AsyncAPI 3.0), generated from the contracts (gateway.asyncapi)."""
        return json_response(200, CATALOG, self.request_id)

    @http("GET", "/openapi.json")
    def openapi(self, request):
        return json_response(200, SPEC, self.request_id)

    @http("GET", "/docs")
    def docs(self, request):
        return Response(DOCS_PAGE, mimetype="text/html")

    @http("GET", "/docs/static/<name>")
    def docs_static(self, request, name):
        if name not in DOCS_FILES:
            return Response("not found", status=404)
        from swagger_ui_bundle import swagger_ui_path
        return Response((swagger_ui_path / name).read_bytes(), mimetype=DOCS_FILES[name],
                        headers={"Cache-Control": "public, max-age=86400"})

    @http("GET", "/metrics")
    def metrics_endpoint(self, request):
        return self.metrics.response()

    @http("GET", "/health")
    def health(self, request):
        return 200, "ok"


SPEC = build_spec(ROUTES)
CATALOG = build_catalog()

# Swagger UI from the swagger-ui-bundle package, served here (no asset from the network): every
# route with its schemas, "Authorize" with a token from /api/v1/auth/login, and "Try it out".
DOCS_FILES = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "application/javascript",
              "favicon-32x32.png": "image/png"}
DOCS_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>双报到 平台 API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"><link rel="icon" href="/docs/static/favicon-32x32.png">
</head><body><div id="ui"></div><script src="/docs/static/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui", persistAuthorization: true,
  deepLinking: true, docExpansion: "none", tryItOutEnabled: false});</script></body></html>"""
