"""Coalescing: the requests for one RPC that arrive while its calls are under way go together.

Under load most of a member report's cost is not the report but its trip: the RPC message and its
reply through RabbitMQ, a worker on each side, a JSON document each way. A `Coalescer` lets at
most `in_flight` calls of one kind be under way; a request that finds them all busy waits, and
the first in line sends, when a call ends, every request that waits (up to `max_batch`) in one
call. A request that finds a call free goes at once, alone: nothing waits for company, so a lone
request is as fast as before, and a crowd costs one trip per batch instead of one per request.

Each request's answer is its own: the service answers item by item (one refused report refuses
only itself), and a call that fails as a whole fails each of its requests the same way, as their
own call would have (RpcTimeout: 503).

The call is made by a waiting request's own worker, with its own RPC proxy (nameko's proxies
belong to a worker) and context; the service checks every item against the caller the item names.
"""
from collections import deque

import eventlet
import eventlet.event
from nameko.exceptions import RpcTimeout

_LEAD = object()  # said to the first in line: a call is yours to make
_DONE = object()  # said to the others of a batch: your outcome is set


class _Request:
    __slots__ = ("item", "done", "result", "error")

    def __init__(self, item):
        self.item = item
        self.done = eventlet.event.Event()
        self.result = None
        self.error = RpcTimeout("the call carrying this request ended without an answer")

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.result


class Coalescer:
    def __init__(self, in_flight=1, max_batch=50, wait=15.0):
        if in_flight < 1 or max_batch < 1:
            raise ValueError("in_flight and max_batch must be at least 1")
        self.max_batch = max_batch
        self.wait = wait  # a waiting request gives up after this long in line (503, like a call)
        self.free = in_flight
        self.queue = deque()
        self.calls = self.items = 0  # how many calls carried how many requests (read by the tests)

    def submit(self, item, send):
        """`send(items)` makes one call and returns one outcome per item, in order. Returns this
        item's outcome (or raises what the call raised), whoever's worker made the call."""
        me = _Request(item)
        if self.free:
            self.free -= 1
        else:
            self.queue.append(me)
            try:
                said = me.done.wait(self.wait) if self.wait else me.done.wait()
            except BaseException:  # killed in line (the gateway stopping): leave the line
                self._leave(me)
                raise
            if said is None:  # still in line after `wait`: the service is stuck or away
                try:
                    self.queue.remove(me)
                except ValueError:  # taken into a call at the last moment: its answer comes
                    said = me.done.wait()
                else:
                    raise RpcTimeout(f"waited {self.wait:g}s for a call")
            if said is not _LEAD:
                return me.outcome()
        self._call(send, me)
        return me.outcome()

    def _leave(self, me):
        """A request that will not wait any more: out of the line, and if the slot was handed to
        it already, on to the next in line (else the slot would be lost for good)."""
        try:
            self.queue.remove(me)
        except ValueError:
            if me.done.ready() and me.done.wait() is _LEAD:
                self._release()

    def _release(self):
        if self.queue:
            self.queue.popleft().done.send(_LEAD)  # the slot goes to the first in line
        else:
            self.free += 1

    def _call(self, send, first):
        """Holds a call slot: sends `first` and whoever waits, sets each outcome, then hands the
        slot to the first in line (or frees it)."""
        batch = [first]
        while self.queue and len(batch) < self.max_batch:
            batch.append(self.queue.popleft())
        self.calls += 1
        self.items += len(batch)
        try:
            results = send([r.item for r in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} answers to {len(batch)} requests")
            for request, result in zip(batch, results):
                request.result, request.error = result, None
        except Exception as exc:  # the call failed as a whole: so did each request in it
            for request in batch:
                request.error = exc
        finally:  # also when this worker is killed: nobody is left waiting for it
            self._release()  # first: the next call leaves before these answers are written
            for request in batch[1:]:
                request.done.send(_DONE)
