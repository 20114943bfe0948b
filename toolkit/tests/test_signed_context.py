"""A standalone proxy held for a long time (a test module, a bench, a backfill) signs its caller
at each call: nameko copies the proxy's context data into each message it sends."""
from nameko.standalone.rpc import ClusterRpcProxy

from contracts.access import CONTEXT_KEY, Caller
from toolkit.caller import SignedAtEachCall


class CountingCaller:
    def __init__(self):
        self.signed = 0

    def to_context(self):
        self.signed += 1
        return f"signature-{self.signed}"


def test_each_message_of_a_proxy_carries_a_signature_made_for_it():
    caller = CountingCaller()
    proxy = ClusterRpcProxy({"AMQP_URI": "memory://"}, context_data=SignedAtEachCall(caller, request_id="r1"))
    # what nameko puts in the headers of each message it sends (nameko.messaging.HeaderEncoder)
    first, second = proxy._worker_ctx.context_data, proxy._worker_ctx.context_data
    assert (first[CONTEXT_KEY], second[CONTEXT_KEY]) == ("signature-1", "signature-2")
    assert first["request_id"] == "r1"


def test_a_real_caller_round_trips_and_no_caller_sends_none():
    caller = Caller(3, "staff.x", "community_staff", "410106001001")
    assert Caller.from_context(SignedAtEachCall(caller).copy()[CONTEXT_KEY]) == caller
    assert CONTEXT_KEY not in SignedAtEachCall(None).copy()
