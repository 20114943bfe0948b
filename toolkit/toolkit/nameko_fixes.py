"""A fix to nameko 2.14.1, applied when the toolkit is imported.

When the broker restarts while a worker runs, the worker's final ack (or requeue) is written to
a dead socket. nameko ignores amqp's ConnectionError there but not the OSError a reset socket
raises (ConnectionResetError, BrokenPipeError), so the exception kills the whole container: one
broker restart took the registration service down in our end-to-end test. The broker has
already taken the message back and will deliver it again, so there is nothing to ack: ignore
socket errors too, as nameko intends for connection errors.
"""
from amqp.exceptions import ConnectionError as AmqpConnectionError
from nameko.messaging import QueueConsumer

_SOCKET_GONE = (AmqpConnectionError, OSError)


def _ack_message(self, message):
    if message.channel.connection:
        try:
            message.ack()
        except _SOCKET_GONE:
            pass


def _requeue_message(self, message):
    if message.channel.connection:
        try:
            message.requeue()
        except _SOCKET_GONE:
            pass


QueueConsumer.ack_message = _ack_message
QueueConsumer.requeue_message = _requeue_message
