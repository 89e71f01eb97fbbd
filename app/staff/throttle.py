"""Throttling of staff logins: too many wrong passwords for one user name, or from one client
address, lock it for a while.

An attempt counts from the moment it starts, so guesses sent in parallel cannot all slip in
before the first failure is recorded.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class Locked(Exception):
    """Logins for this user name or address are refused for `retry_after` more seconds."""

    def __init__(self, retry_after: float):
        super().__init__(f"locked for {retry_after:.0f} s")
        self.retry_after = retry_after


class Busy(Exception):
    """Attempts under way for this user name or address may lock it: ask again in a moment."""


@dataclass
class _Count:
    failures: list[float] = field(default_factory=list)  # times of recent failures
    pending: int = 0  # attempts being checked now
    locked_until: float = 0.0


class LoginThrottle:
    """Counts failures per key ('user:<name>', 'address:<ip>') within `window` seconds; a key
    that reaches its limit is locked for `window` seconds."""

    def __init__(self, max_per_user: int, max_per_address: int, window: float,
                 clock: Callable[[], float] = time.monotonic):
        self.limits = {"user": max_per_user, "address": max_per_address}
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, _Count] = {}

    @staticmethod
    def keys(user: str, address: str) -> list[str]:
        return [f"user:{user.strip().lower()}", f"address:{address}"]

    def begin(self, keys: list[str]) -> None:
        """Start an attempt; raises Locked when any key is locked, Busy when the attempts
        already under way could lock it."""
        now = self._clock()
        with self._lock:
            self._forget(now)
            counts = [self._counts.setdefault(k, _Count()) for k in keys]
            waits = [c.locked_until - now for c in counts if c.locked_until > now]
            if waits:
                raise Locked(max(waits))
            if any(len(c.failures) + c.pending >= self._limit(k) for k, c in zip(keys, counts)):
                raise Busy()
            for c in counts:
                c.pending += 1

    def end(self, keys: list[str], succeeded: bool) -> list[str]:
        """Record how an attempt ended; returns the keys its failure locked. A right password
        clears the user name's failures, not the address's."""
        now = self._clock()
        locked = []
        with self._lock:
            for k in keys:
                c = self._counts.setdefault(k, _Count())
                c.pending = max(0, c.pending - 1)
                if succeeded:
                    if k.startswith("user:"):
                        c.failures = []
                    continue
                c.failures.append(now)
                if len(c.failures) >= self._limit(k):
                    c.locked_until, c.failures = now + self.window, []
                    locked.append(k)
        return locked

    def _limit(self, key: str) -> int:
        return self.limits[key.split(":", 1)[0]]

    def _forget(self, now: float) -> None:
        """Drop failures older than the window, and keys with nothing left to remember."""
        for key in list(self._counts):
            c = self._counts[key]
            c.failures = [t for t in c.failures if now - t < self.window]
            if not c.failures and not c.pending and c.locked_until <= now:
                del self._counts[key]
