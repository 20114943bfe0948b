"""Per-address limits (gateway.throttle): the limit holds per address, for its window only."""
import pytest

from contracts.errors import Throttled
from gateway import throttle


def test_an_address_past_its_limit_waits_and_others_do_not(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(throttle.time, "monotonic", lambda: clock[0])
    checks = throttle.check_throttle(limit=3)
    for _ in range(3):
        checks.hit("198.51.100.1")
    with pytest.raises(Throttled) as refused:
        checks.hit("198.51.100.1")
    assert refused.value.code == "too_many_checks" and 0 < refused.value.retry_after <= 61
    checks.hit("198.51.100.2")          # another address is not held back
    clock[0] += 61                      # the window has passed
    checks.hit("198.51.100.1")


def test_failed_logins_count_only_when_told():
    logins = throttle.login_throttle(limit=2)
    for _ in range(5):
        logins.check("198.51.100.3")    # checking alone does not count
    logins.count("198.51.100.3")
    logins.count("198.51.100.3")
    with pytest.raises(Throttled):
        logins.check("198.51.100.3")


def test_the_map_of_addresses_is_bounded(monkeypatch):
    monkeypatch.setattr(throttle.AddressThrottle, "MAX_ADDRESSES", 3)
    checks = throttle.check_throttle(limit=5)
    for i in range(10):
        checks.hit(f"198.51.100.{i}")
    assert len(checks.events) == 3
