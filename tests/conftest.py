"""End-to-end fixtures: the services and the gateway as real processes (`nameko run`), HTTP to
the gateway, a plain kombu consumer on the event exchange."""
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from kombu import Connection

from gateway.dbrole import role_url
from toolkit.listen import queue_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMEKO = os.path.join(os.path.dirname(sys.executable), "nameko")
# overridable so that two suites (two checkouts, two databases) can run side by side
GATEWAY_PORT = int(os.environ.get("E2E_GATEWAY_PORT", "18100"))
REGISTRATION_PORT = int(os.environ.get("E2E_REGISTRATION_PORT", "18102"))
VOLUNTEERING_PORT = REGISTRATION_PORT + 1
SCORING_PORT = REGISTRATION_PORT + 2
FEEDBACK_PORT = REGISTRATION_PORT + 3
DOCUMENTS_PORT = REGISTRATION_PORT + 4


class Process:
    def __init__(self, name, cwd, module, env, log_path):
        self.name, self.cwd, self.module, self.env, self.log_path = name, cwd, module, env, log_path
        self.proc = None

    def start(self, **extra_env):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([NAMEKO, "run", "--config", "config.yaml", self.module], cwd=self.cwd,
                                     env={**self.env, **extra_env}, stdout=log, stderr=subprocess.STDOUT)
        return self

    def kill(self):
        """SIGKILL: no clean shutdown, whatever it was doing."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


class BrokerProxy:
    """The broker as the platform's processes see it: tests/brokerproxy.py, a process of this
    session's own, so that a test can stop "the broker" without stopping the shared RabbitMQ (a
    `make run` beside the tests keeps its connections)."""

    def __init__(self, amqp):
        parts = urlsplit(amqp)
        self.proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "brokerproxy.py"),
                                      parts.hostname or "127.0.0.1", str(parts.port or 5672)],
                                     stdout=subprocess.PIPE, text=True)
        port = int(self._said("listening"))
        userinfo = parts.netloc.rpartition("@")[0]  # as given: user, password, their escapes
        netloc = f"{userinfo}@127.0.0.1:{port}" if userinfo else f"127.0.0.1:{port}"
        self.uri = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))

    def _said(self, word):
        line = self.proc.stdout.readline().split()
        assert line and line[0] == word, f"broker proxy said {line}, not {word}"
        return line[1] if len(line) > 1 else None

    def stop(self):
        """An outage: every connection cut, new ones refused. Returns how many it cut."""
        self.proc.send_signal(signal.SIGUSR1)
        return int(self._said("down"))

    def start(self):
        """Back, on the same address."""
        self.proc.send_signal(signal.SIGUSR2)
        self._said("up")

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture(scope="session")
def broker(amqp):
    proxy = BrokerProxy(amqp)
    yield proxy
    proxy.close()


def wait_http(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds}s")


PASSWORD = "Test-pass-2026"


class Client:
    """HTTP to the gateway as one signed-in account."""

    def __init__(self, base, token):
        self.base, self.headers = base, {"Authorization": f"Bearer {token}"}

    def request(self, method, path, body=None, **kw):
        headers = {**self.headers, **kw.pop("headers", {})}
        if body is not None:
            kw["json"] = body
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)


class Accounts:
    """Test accounts, made in the gateway schema when first asked for and signed in over HTTP.
    Usernames say role and node: staff.410106001001, unit.7, member.12, district.410106..."""

    PREFIX = {"city_admin": "admin", "district_officer": "district", "street_officer": "street",
              "community_staff": "staff", "unit_officer": "unit", "member": "member"}

    def __init__(self, engine, base):
        self.engine, self.base, self.tokens = engine, base, {}

    def username(self, role, scope=""):
        return f"{self.PREFIX[role]}.{scope}" if scope else self.PREFIX[role]

    def ensure(self, role, scope=""):
        from contracts.errors import Conflict
        from gateway.accounts import create_account
        name = self.username(role, scope)
        try:
            with self.engine.begin() as conn:
                create_account(conn, name, name, role, str(scope), PASSWORD, created_by="tests")
        except Conflict:
            pass
        return name

    def login(self, username, password=PASSWORD):
        return requests.post(f"{self.base}/auth/login", json={"username": username, "password": password}, timeout=30)

    def client(self, role, scope=""):
        name = self.ensure(role, scope)
        if name not in self.tokens:
            r = self.login(name)
            assert r.status_code == 200, r.text
            self.tokens[name] = r.json()["access_token"]
        return Client(self.base, self.tokens[name])


class Platform:
    def __init__(self, env, logs, accounts=None):
        self.base = f"http://127.0.0.1:{GATEWAY_PORT}/api/v1"
        self.accounts = accounts
        self.scoring = Process("scoring", os.path.join(ROOT, "services", "scoring"), "scoring.service", env,
                               os.path.join(logs, "scoring.log"))
        self.feedback = Process("feedback", os.path.join(ROOT, "services", "feedback"), "feedback.service", env,
                                os.path.join(logs, "feedback.log"))
        self.documents = Process("documents", os.path.join(ROOT, "services", "documents"), "documents.service", env,
                                 os.path.join(logs, "documents.log"))
        self.volunteering = Process("volunteering", os.path.join(ROOT, "services", "volunteering"),
                                    "volunteering.service", env, os.path.join(logs, "volunteering.log"))
        self.registration = Process("registration", os.path.join(ROOT, "services", "registration"),
                                    "registration.service", env, os.path.join(logs, "registration.log"))
        self.gateway = Process("gateway", os.path.join(ROOT, "gateway"), "gateway.service", env,
                               os.path.join(logs, "gateway.log"))

    def start_registration(self, **extra_env):
        self.registration.start(**extra_env)
        wait_http(f"http://127.0.0.1:{REGISTRATION_PORT}/health")

    def as_(self, role, scope=""):
        """A client signed in as `role` bound to `scope` (a code, a unit id or a member id)."""
        return self.accounts.client(role, scope)

    def owner_of(self, path):
        """The account whose own business a path is: the staff of /communities/<code>/..., the
        officer of /units/<id>/..., /streets/<code>/..., /districts/<code>/...; else the city's
        administrator. The tests that are not about permissions speak as that account."""
        parts = path.split("?")[0].strip("/").split("/")
        roles = {"communities": "community_staff", "units": "unit_officer", "streets": "street_officer",
                 "districts": "district_officer"}
        if len(parts) >= 2 and parts[0] in roles and parts[1].isdigit():
            if parts[0] == "districts" and len(parts) == 3 and parts[2] == "streets":
                return self.as_("city_admin")
            return self.as_(roles[parts[0]], parts[1])
        return self.as_("city_admin")

    def get(self, path, **kw):
        return self.owner_of(path).get(path, **kw)

    def post(self, path, body=None, **kw):
        return self.owner_of(path).post(path, body, **kw)


@pytest.fixture(scope="session")
def platform(city, gateway_db, volunteering_db, scoring_db, feedback_db, documents_db, database_url, broker,
             tmp_path_factory):
    # the services reach the broker through the session's proxy, which a test may stop
    env = {**os.environ, "AMQP_URI": broker.uri, "DATABASE_URL": database_url, "REGISTRATION_DATABASE_URL": database_url,
           # the gateway's own role (migration 0002): the suite proves it needs no more than its grants
           "GATEWAY_DATABASE_URL": role_url(database_url), "VOLUNTEERING_DATABASE_URL": database_url,
           "VOLUNTEERING_WEB_ADDRESS": f"127.0.0.1:{VOLUNTEERING_PORT}",
           "SCORING_DATABASE_URL": database_url, "SCORING_WEB_ADDRESS": f"127.0.0.1:{SCORING_PORT}",
           "FEEDBACK_DATABASE_URL": database_url, "FEEDBACK_WEB_ADDRESS": f"127.0.0.1:{FEEDBACK_PORT}", "GATEWAY_JWT_SECRET": "e2e-secret-" + os.urandom(16).hex(),
           # the suite signs in hundreds of times from 127.0.0.1, some on purpose wrongly
           "GATEWAY_LOGIN_ADDRESS_LIMIT": "100000",
           # the public check's limit per address: a test poses as addresses of its own behind one
           # trusted proxy (X-Forwarded-For); the rest of the suite comes from 127.0.0.1
           "GATEWAY_CHECK_ADDRESS_LIMIT": "200", "GATEWAY_TRUSTED_PROXIES": "1", "GATEWAY_PUBLIC_ADDRESS_LIMIT": "150",
           "GATEWAY_ADDRESS": f"127.0.0.1:{GATEWAY_PORT}", "REGISTRATION_WEB_ADDRESS": f"127.0.0.1:{REGISTRATION_PORT}",
           "PYTHONWARNINGS": "ignore",
           # fewer workers than a deployment's 20, so each service's pool (workers + 2) is smaller:
           # the suite and a running `make run` share PostgreSQL's 100 connections
           "REGISTRATION_MAX_WORKERS": "10", "VOLUNTEERING_MAX_WORKERS": "10", "SCORING_MAX_WORKERS": "10",
           "FEEDBACK_MAX_WORKERS": "4", "DOCUMENTS_MAX_WORKERS": "2",
           "DOCUMENTS_DATABASE_URL": database_url, "DOCUMENTS_WEB_ADDRESS": f"127.0.0.1:{DOCUMENTS_PORT}",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{GATEWAY_PORT}",
           # chunks of 100 (500 in a deployment): a batch of the tests' size shows its progress on the way
           "DOCUMENTS_CHUNK": "100", "DOCUMENTS_UNITS_PER_PART": "1"}
    logs = str(tmp_path_factory.mktemp("logs"))
    env["DOCUMENTS_FILES_DIR"] = str(tmp_path_factory.mktemp("documents"))
    p = Platform(env, logs, Accounts(gateway_db, f"http://127.0.0.1:{GATEWAY_PORT}/api/v1"))
    p.broker = broker
    # volunteering first: its queues on registration.events must exist before the registration
    # relay publishes the city's events, or it would never hear of the loaded members
    # feedback before scoring: its queue of publications exists before any is published
    p.feedback.start()
    wait_http(f"http://127.0.0.1:{FEEDBACK_PORT}/health")
    p.documents.start()
    wait_http(f"http://127.0.0.1:{DOCUMENTS_PORT}/health")
    p.scoring.start()
    wait_http(f"http://127.0.0.1:{SCORING_PORT}/health")
    p.volunteering.start()
    wait_http(f"http://127.0.0.1:{VOLUNTEERING_PORT}/health")
    p.start_registration()
    p.gateway.start()
    wait_http(f"http://127.0.0.1:{GATEWAY_PORT}/health")
    yield p
    p.gateway.stop()
    p.registration.stop()
    p.volunteering.stop()
    p.scoring.stop()
    p.feedback.stop()
    p.documents.stop()


class Listener:
    """A durable queue bound to a service's events (registration.events unless said) before
    anything is sent; reconnects after a broker restart like any real subscriber would."""

    def __init__(self, amqp, name, service="registration"):
        self.amqp, self.name, self.events = amqp, name, []
        with Connection(amqp) as conn:
            self.queue = queue_for(service, ("#",), name)
            self.queue(conn.channel()).declare()
            self.queue(conn.channel()).purge()

    def collect(self, until, timeout=30):
        """Consume until `until(events)` is true or `timeout` passes; returns the events."""
        deadline = time.time() + timeout
        while not until(self.events) and time.time() < deadline:
            try:
                with Connection(self.amqp, connect_timeout=2) as conn:
                    def on(body, message):
                        self.events.append(body)
                        message.ack()
                    with conn.Consumer(self.queue, callbacks=[on], accept=["json"]):
                        while not until(self.events) and time.time() < deadline:
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                pass
            except Exception:  # the broker is away: try again, as a subscriber would
                time.sleep(0.5)
        return self.events

    def delete(self):
        with Connection(self.amqp) as conn:
            self.queue(conn.channel()).delete()


@pytest.fixture
def listener(amqp, request):
    lst = Listener(amqp, f"e2e.{request.node.name[:60]}")
    yield lst
    lst.delete()
