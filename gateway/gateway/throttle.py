"""Per-address limits, in one gateway process (each replica counts its own): failed logins, and
the public certificate check that anyone may call without an account (its numbers run in
sequence: the limit stops a script from trying them by the thousand)."""
import time
from collections import defaultdict, deque

from contracts.errors import Throttled


class AddressThrottle:
    """Past `limit` counted events in `window` seconds, the address waits (429, Retry-After)."""
    MAX_ADDRESSES = 100_000  # beyond, the oldest are forgotten: the map cannot grow without end

    def __init__(self, limit, window, code, message):
        self.limit, self.window, self.code, self.message = limit, window, code, message
        self.events = defaultdict(deque)

    def check(self, ip):
        q = self.events.get(ip)
        if not q:
            return
        cutoff = time.monotonic() - self.window
        while q and q[0] < cutoff:
            q.popleft()
        if len(q) >= self.limit:
            raise Throttled(self.code, self.message, retry_after=int(q[0] + self.window - time.monotonic()) + 1)
        if not q:
            del self.events[ip]

    def count(self, ip):
        if ip not in self.events and len(self.events) >= self.MAX_ADDRESSES:
            del self.events[next(iter(self.events))]
        self.events[ip].append(time.monotonic())

    def hit(self, ip):
        """Check, then count: every call counts (the public check), not only failures."""
        self.check(ip)
        self.count(ip)


def login_throttle(limit=20):
    """Failed logins per address; the per-account lock (gateway.accounts) holds across replicas."""
    return AddressThrottle(limit, 600, "too_many_attempts", "该地址登录失败次数过多，请稍后再试")


def check_throttle(limit=30):
    """Certificate checks per address per minute: a person scans a few; a script is stopped."""
    return AddressThrottle(limit, 60, "too_many_checks", "查验过于频繁，请稍后再试")
