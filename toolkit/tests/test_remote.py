"""toolkit.remote.Bounded: a call to a service that does not answer gives up in time with
Unavailable (503 at the gateway) and leaves no waiting entry behind; an answer comes through."""
import eventlet
import pytest

from contracts.errors import Unavailable
from toolkit.remote import Bounded


class Reply:
    def __init__(self, answer=None):
        self.reply_event = eventlet.event.Event()
        if answer is not None:
            self.reply_event.send(answer)

    def result(self):
        return self.reply_event.wait()


class Proxy:
    """The shape of nameko's RpcProxy that Bounded uses: method.call_async, the reply listener's
    waiting entries, the service's name."""
    service_name = "registration"

    def __init__(self, answer=None):
        self.answer = answer
        self.reply_listener = type("Listener", (), {"_reply_events": {}})()

    def __getattr__(self, method):
        proxy = self

        class Method:
            @staticmethod
            def call_async(*args, **kwargs):
                reply = Reply(proxy.answer)
                proxy.reply_listener._reply_events[f"{method}-{len(proxy.reply_listener._reply_events)}"] = \
                    reply.reply_event
                return reply
        return Method


def test_an_answer_comes_through():
    assert Bounded(Proxy(answer={"units": []}), seconds=1).feedback_rosters([], [], "2026H1") == {"units": []}


def test_no_answer_is_unavailable_in_time_and_forgotten():
    proxy = Proxy()
    started = eventlet.hubs.get_hub().clock()
    with pytest.raises(Unavailable) as refused:
        Bounded(proxy, seconds=0.2).member_current(7)
    assert eventlet.hubs.get_hub().clock() - started < 2
    assert refused.value.code == "service_unavailable" and "registration" in refused.value.message
    assert proxy.reply_listener._reply_events == {}
