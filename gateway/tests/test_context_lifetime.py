"""A caller the gateway signs lives for seconds (contracts.access.CONTEXT_TTL): the gateway signs it
again for each call it makes, and does not start with a GATEWAY_RPC_TIMEOUT its signatures would
not outlive (a member report waits in line up to it, then for its call up to as long again)."""
from types import SimpleNamespace

import pytest

from contracts.access import CONTEXT_KEY, CONTEXT_SKEW, CONTEXT_TTL, Caller
from gateway import service


def test_the_gateway_does_not_start_with_a_timeout_its_signatures_would_not_outlive(monkeypatch):
    context = service.CallerContext()
    monkeypatch.setattr(service, "RPC_TIMEOUT", 15.0)  # the default
    context.setup()
    monkeypatch.setattr(service, "RPC_TIMEOUT", (CONTEXT_TTL - CONTEXT_SKEW) / 2)
    context.setup()
    monkeypatch.setattr(service, "RPC_TIMEOUT", 30.0)
    with pytest.raises(RuntimeError, match=r"GATEWAY_RPC_TIMEOUT=30 .*2 × 30s.*lower it"):
        context.setup()


class RecordingProxy:
    """Records the caller context each call is sent with (nameko reads the worker's context data
    when it publishes)."""
    service_name = "registration"

    def __init__(self, worker_ctx):
        self.worker_ctx, self.sent = worker_ctx, []

    def __getattr__(self, method):
        def call_async(*args, **kwargs):
            self.sent.append(self.worker_ctx.data.get(CONTEXT_KEY))
            return SimpleNamespace(result=lambda: None)
        return SimpleNamespace(call_async=call_async)


def test_each_call_of_a_request_carries_a_signature_made_for_it(monkeypatch):
    worker_ctx = SimpleNamespace(data={})
    set_caller = service.CallerContext().get_dependency(worker_ctx)
    caller = Caller(7, "staff.x", "community_staff", "410106001001")
    clock = iter([1_000_000, 1_000_020, 1_000_040])
    monkeypatch.setattr(Caller, "to_context", lambda self, now=None, _sign=Caller.to_context: _sign(self, next(clock)))
    proxy = RecordingProxy(worker_ctx)
    gateway = SimpleNamespace(gate=None, caller_context=set_caller, registration=proxy, volunteering=proxy, scoring=proxy,
                              feedback=proxy, documents=proxy)
    call = service.Call(gateway, SimpleNamespace(headers={}, remote_addr="127.0.0.1"), route=None, values={})
    call.caller = caller  # as admit() leaves it
    # three services one after another (register D.1), each answering in 20 s, say
    call.scoring.register_d1("410106001001", 1, "2026H1")
    call.registration.member_profile(1)
    call.volunteering.member_posts(1)
    issued = [int(sent.split("|")[1]) for sent in proxy.sent]
    assert issued == [1_000_000, 1_000_020, 1_000_040]
    assert all(Caller.from_context(sent, now=at + 1) == caller for sent, at in zip(proxy.sent, issued))
