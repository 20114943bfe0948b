"""A call to a service that does not answer gives up, and leaves nothing waiting behind."""
from types import SimpleNamespace

import eventlet
import pytest
from nameko.exceptions import RpcTimeout

from gateway import service


class SilentService:
    service_name = "registration"

    def __init__(self):
        self.reply_listener = SimpleNamespace(_reply_events={})

    def __getattr__(self, method):
        def call_async(*args, **kwargs):
            event = eventlet.event.Event()  # never sent: the service is down
            self.reply_listener._reply_events["corr-1"] = event
            return SimpleNamespace(reply_event=event, result=event.wait)
        return SimpleNamespace(call_async=call_async)


def test_a_silent_service_times_out_and_is_forgotten(monkeypatch):
    monkeypatch.setattr(service, "RPC_TIMEOUT", 0.05)
    proxy = SilentService()
    with pytest.raises(RpcTimeout):
        service.Timed(proxy).report_member({})
    assert proxy.reply_listener._reply_events == {}
