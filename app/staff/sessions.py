"""Staff sessions: a random token per login, held by the browser in an HttpOnly cookie and known
to the server with its user and expiry. Only the token's hash is stored.

`SessionStore` is the interface the server uses; `MemorySessions` keeps them in this process
(a restart logs everyone out). A database store can hold them so that several servers share them.
"""

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from typing import Protocol


class SessionStore(Protocol):
    def create(self, user: str, lifetime: float) -> str:
        """A new token for `user`, valid for `lifetime` seconds."""
        ...

    def user(self, token: str | None) -> str | None:
        """The user of a valid, unexpired token; None otherwise."""
        ...

    def revoke(self, token: str | None) -> None:
        """End a session (logging out)."""
        ...


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class MemorySessions:
    """Sessions in a dict: token hash → (user, expiry on `clock`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[str, float]] = {}

    def create(self, user: str, lifetime: float) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._sessions = {k: v for k, v in self._sessions.items() if v[1] > now}
            self._sessions[token_hash(token)] = (user, now + lifetime)
        return token

    def user(self, token: str | None) -> str | None:
        if not token:
            return None
        with self._lock:
            found = self._sessions.get(token_hash(token))
        return found[0] if found and found[1] > self._clock() else None

    def revoke(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._sessions.pop(token_hash(token), None)
