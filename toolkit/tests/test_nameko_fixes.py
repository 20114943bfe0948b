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
