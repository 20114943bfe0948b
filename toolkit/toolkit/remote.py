"""A service's calls to another, bounded in time.

nameko's in-service proxy waits for an answer for ever: a service that is down would hold the
caller's worker (and whatever it holds) until it comes back. `Bounded(proxy, seconds)` gives up
after `seconds` with contracts.errors.Unavailable (503 at the gateway: nothing was done, try
again), and the request expires on the broker with it, so a call the caller gave up on is not
carried out later.

    class FeedbackService:
        registration = RpcProxy("registration", expiration=REMOTE_TIMEOUT)

        def release(self, ...):
            registration = Bounded(self.registration, REMOTE_TIMEOUT)
"""
import eventlet

from contracts.errors import Unavailable

REMOTE_TIMEOUT = 10  # seconds: within the caller's signature's life (contracts.access.CONTEXT_TTL)


class Bounded:
    def __init__(self, proxy, seconds=REMOTE_TIMEOUT):
        self.proxy, self.seconds = proxy, seconds

    def __getattr__(self, method):
        def call(*args, **kwargs):
            reply = getattr(self.proxy, method).call_async(*args, **kwargs)
            try:
                with eventlet.Timeout(self.seconds):
                    return reply.result()
            except eventlet.Timeout:
                forget(self.proxy, reply)
                raise Unavailable(message=f"{self.proxy.service_name} 暂时不可用，未作任何更改，请稍后重试") from None
        return call


def forget(proxy, reply):
    """An expired request is never answered: drop its waiting entry, or the reply listener keeps
    one for every call that timed out."""
    waiting = proxy.reply_listener._reply_events
    for correlation_id, event in list(waiting.items()):
        if event is reply.reply_event:
            del waiting[correlation_id]
