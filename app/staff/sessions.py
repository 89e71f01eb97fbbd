"""Staff sessions: a random token per login, held by the browser in an HttpOnly cookie and known
to the server with its user and expiry. Only the token's hash is stored.

`SessionStore` is the interface the server uses. `DatabaseSessions` keeps them in the app
database, so that several servers share them and a restart keeps them (what `serve` uses);
`MemorySessions` keeps them in this process (a restart logs everyone out).
"""

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from .db import Database, DatabaseUnavailable, utcnow
from .tables import StaffSessionRow

log = logging.getLogger(__name__)


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


class DatabaseSessions:
    """Sessions in the app database (table `staff_sessions`): every server that shares the
    database knows every login, and a logout on one ends it on all. Expiry is by wall clock
    (UTC, `clock`), the one time servers share. With the database out of reach no session is
    valid (logged), so the workspace closes rather than trusting a token it cannot check."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = utcnow):
        self.database = database
        self._clock = clock

    def create(self, user: str, lifetime: float) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self.database.session() as session:
            session.execute(delete(StaffSessionRow).where(StaffSessionRow.expires_at <= now))
            session.add(StaffSessionRow(token_hash=token_hash(token), user=user, created_at=now,
                                        expires_at=now + timedelta(seconds=lifetime)))
        return token

    def user(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            with self.database.session() as session:
                row = session.get(StaffSessionRow, token_hash(token))
        except (DatabaseUnavailable, SQLAlchemyError):
            log.exception("staff sessions unavailable")
            return None
        return row.user if row is not None and row.expires_at > self._clock() else None

    def revoke(self, token: str | None) -> None:
        if token:
            with self.database.session() as session:
                session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash(token)))
