"""The nameko fix: an ack on a socket the broker reset must not kill the container."""
from types import SimpleNamespace

import pytest
from nameko.messaging import QueueConsumer

import toolkit.errors  # noqa: F401  (applies the fix)


class ResetMessage:
    channel = SimpleNamespace(connection=object())

    def ack(self):
        raise ConnectionResetError(104, "Connection reset by peer")

    requeue = ack


def test_ack_and_requeue_on_a_reset_socket_are_ignored():
    consumer = QueueConsumer.__new__(QueueConsumer)
    consumer.ack_message(ResetMessage())
    consumer.requeue_message(ResetMessage())


def test_other_errors_still_surface():
    class Broken(ResetMessage):
        def ack(self):
            raise ValueError("a bug of ours")
    with pytest.raises(ValueError):
        QueueConsumer.__new__(QueueConsumer).ack_message(Broken())


def test_a_reply_the_broker_cannot_take_is_logged_not_fatal(monkeypatch):
    from kombu.exceptions import OperationalError
    from nameko import rpc

    def refused(self, *args, **kwargs):
        raise OperationalError("[Errno 111] ECONNREFUSED")

    monkeypatch.setattr(rpc.Responder.publisher_cls, "publish", refused)
    message = SimpleNamespace(properties={"content_type": "application/json", "reply_to": "rpc.reply-x"})
    responder = rpc.Responder("amqp://127.0.0.1:1//", None, "json", message)
    assert responder.send_response({"ok": 1}, None) == ({"ok": 1}, None)


def test_entrypoint_arguments_are_still_checked_against_the_method():
    from nameko.exceptions import IncorrectSignature
    from nameko.rpc import Rpc

    class Service:
        name = "probe"

        def method(self, unit_id, registration_id, request=None):
            pass

    class Container:  # nameko keeps a weak reference to it
        service_cls = Service
        shared_extensions = {}

    container = Container()
    entrypoint = Rpc().bind(container, "method")
    entrypoint.check_signature((1, 2), {})
    entrypoint.check_signature((1,), {"registration_id": 2, "request": {}})
    for args, kwargs in [((1,), {}), ((1, 2, 3, 4), {}), ((1, 2), {"other": 3})]:
        with pytest.raises(IncorrectSignature):
            entrypoint.check_signature(args, kwargs)
