"""End-to-end fixtures: the services and the gateway as real processes (`nameko run`), HTTP to
the gateway, a plain kombu consumer on the event exchange."""
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from kombu import Connection

from toolkit.listen import queue_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMEKO = os.path.join(os.path.dirname(sys.executable), "nameko")
GATEWAY_PORT = 18100
REGISTRATION_PORT = 18102


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


class Platform:
    def __init__(self, env, logs):
        self.base = f"http://127.0.0.1:{GATEWAY_PORT}/api/v1"
        self.registration = Process("registration", os.path.join(ROOT, "services", "registration"),
                                    "registration.service", env, os.path.join(logs, "registration.log"))
        self.gateway = Process("gateway", os.path.join(ROOT, "gateway"), "gateway.service", env,
                               os.path.join(logs, "gateway.log"))

    def start_registration(self, **extra_env):
        self.registration.start(**extra_env)
        wait_http(f"http://127.0.0.1:{REGISTRATION_PORT}/health")

    def get(self, path, **kw):
        return requests.get(self.base + path, timeout=30, **kw)

    def post(self, path, body=None, **kw):
        return requests.post(self.base + path, json=body, timeout=30, **kw)


@pytest.fixture(scope="session")
def platform(city, database_url, amqp, tmp_path_factory):
    env = {**os.environ, "AMQP_URI": amqp, "DATABASE_URL": database_url, "REGISTRATION_DATABASE_URL": database_url,
           "GATEWAY_ADDRESS": f"127.0.0.1:{GATEWAY_PORT}", "REGISTRATION_WEB_ADDRESS": f"127.0.0.1:{REGISTRATION_PORT}",
           "PYTHONWARNINGS": "ignore"}
    logs = str(tmp_path_factory.mktemp("logs"))
    p = Platform(env, logs)
    p.start_registration()
    p.gateway.start()
    wait_http(f"http://127.0.0.1:{GATEWAY_PORT}/health")
    yield p
    p.gateway.stop()
    p.registration.stop()


class Listener:
    """A durable queue bound to registration.events before anything is sent; reconnects after
    a broker restart like any real subscriber would."""

    def __init__(self, amqp, name):
        self.amqp, self.name, self.events = amqp, name, []
        with Connection(amqp) as conn:
            self.queue = queue_for("registration", ("#",), name)
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
