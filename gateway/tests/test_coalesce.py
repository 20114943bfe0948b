"""gateway.coalesce: requests that arrive while a call is under way go together in the next one."""
import eventlet
import eventlet.event
import pytest
from nameko.exceptions import RpcTimeout

from gateway.coalesce import Coalescer


class Service:
    """A fake RPC: records each call's items; a call waits for `gate` while it is closed."""

    def __init__(self):
        self.calls = []
        self.gate = eventlet.event.Event()
        self.gate.send()
        self.fail_with = None

    def close(self):
        self.gate = eventlet.event.Event()

    def send(self, items):
        self.calls.append(list(items))
        self.gate.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return [item * 10 for item in items]


def submit_all(coalescer, service, items):
    threads = [eventlet.spawn(coalescer.submit, item, service.send) for item in items]
    eventlet.sleep(0)  # every one has arrived
    return threads


def test_a_lone_request_goes_at_once_alone():
    service, coalescer = Service(), Coalescer(in_flight=1)
    assert coalescer.submit(4, service.send) == 40
    assert service.calls == [[4]] and coalescer.free == 1


def test_requests_that_arrive_during_a_call_go_together_in_the_next():
    service, coalescer = Service(), Coalescer(in_flight=1)
    service.close()
    first = submit_all(coalescer, service, [1])
    others = submit_all(coalescer, service, [2, 3, 4, 5])
    assert service.calls == [[1]]  # the others wait in line
    service.gate.send()
    assert [t.wait() for t in first + others] == [10, 20, 30, 40, 50]
    assert service.calls == [[1], [2, 3, 4, 5]]
    assert (coalescer.calls, coalescer.items, coalescer.free) == (2, 5, 1)


def test_two_calls_may_be_under_way_and_a_batch_is_bounded():
    service, coalescer = Service(), Coalescer(in_flight=2, max_batch=3)
    service.close()
    threads = submit_all(coalescer, service, range(1, 10))
    assert service.calls == [[1], [2]]
    service.gate.send()
    assert [t.wait() for t in threads] == [10 * i for i in range(1, 10)]
    assert sorted(len(c) for c in service.calls) == [1, 1, 1, 3, 3]
    assert sorted(i for c in service.calls for i in c) == list(range(1, 10)) and coalescer.free == 2


def test_a_failed_call_fails_each_of_its_requests_and_no_other():
    service, coalescer = Service(), Coalescer(in_flight=1)
    service.close()
    first = submit_all(coalescer, service, [1])
    batch = submit_all(coalescer, service, [2, 3])
    service.fail_with = RpcTimeout("registration.report_members")
    service.gate.send()
    for t in first + batch:
        with pytest.raises(RpcTimeout):
            t.wait()
    service.fail_with = None
    assert coalescer.submit(7, service.send) == 70


def test_an_answer_of_the_wrong_length_fails_the_call():
    service, coalescer = Service(), Coalescer(in_flight=1)
    service.close()
    first = submit_all(coalescer, service, [1])
    short = lambda items: service.send(items)[:1]  # noqa: E731  (one answer, whatever was asked)
    batch = [eventlet.spawn(coalescer.submit, i, short) for i in (2, 3)]
    eventlet.sleep(0)
    service.gate.send()
    assert first[0].wait() == 10  # the batch of 2 and 3 is sent by 2, with its `short`
    for t in batch:
        with pytest.raises(RuntimeError, match="1 answers to 2 requests"):
            t.wait()


def test_a_request_left_in_line_too_long_gives_up_and_is_never_sent():
    service, coalescer = Service(), Coalescer(in_flight=1, wait=0.1)
    service.close()
    first = submit_all(coalescer, service, [1])
    late = submit_all(coalescer, service, [2])
    with pytest.raises(RpcTimeout):
        late[0].wait()
    service.gate.send()
    assert first[0].wait() == 10
    assert service.calls == [[1]] and not coalescer.queue and coalescer.free == 1


def test_when_the_worker_making_a_call_is_killed_its_batch_is_answered_and_the_line_moves_on():
    service, coalescer = Service(), Coalescer(in_flight=1)
    service.close()
    first = submit_all(coalescer, service, [1])
    batch = submit_all(coalescer, service, [2, 3])
    service.gate.send()
    service.close()  # the second call (2, 3) will hang
    assert first[0].wait() == 10
    eventlet.sleep(0)
    assert service.calls == [[1], [2, 3]]
    after = submit_all(coalescer, service, [4])
    batch[0].kill()  # the worker of request 2 makes the call: it dies (a gateway stopping)
    with pytest.raises(RpcTimeout):
        batch[1].wait()  # 3 is answered, not left waiting for ever
    eventlet.sleep(0)
    assert service.calls[-1] == [4]  # the slot went on to the next in line
    service.gate.send()
    assert after[0].wait() == 40 and coalescer.free == 1


def test_a_request_killed_while_in_line_leaves_it_and_the_slot_goes_on():
    service, coalescer = Service(), Coalescer(in_flight=1)
    service.close()
    first = submit_all(coalescer, service, [1])
    killed_in_line = submit_all(coalescer, service, [2])
    killed_in_line[0].kill()
    assert not coalescer.queue
    service.gate.send()
    assert first[0].wait() == 10 and coalescer.free == 1
    # killed after the slot was handed to it, before it could use it: the slot is not lost
    service.close()
    first = submit_all(coalescer, service, [3])
    handed = submit_all(coalescer, service, [4])
    waiting = submit_all(coalescer, service, [5])
    service.gate.send()
    eventlet.sleep(0)  # 3 is answered and hands the slot to 4, which has not run yet
    handed[0].kill()
    assert first[0].wait() == 30 and waiting[0].wait() == 50
    assert [5] in service.calls and [4] not in service.calls and coalescer.free == 1
