"""Staff API keys: a caller presenting one (`Authorization: Bearer <key>`) gets the staff role.

A key is `crk_<id>_<secret>`; the database keeps its id and the scrypt hash of the secret
(`auth.hash_password`), never the key. Made with `county-rag api-key create NAME`, shown once.
A key checked recently is remembered for a minute, so a busy client does not pay for scrypt on
every request (a revoked key stops working within that minute).
"""

import hashlib
import re
import secrets
import threading
import time
from datetime import datetime

from sqlalchemy import delete, select

from .auth import hash_password, verify_password
from .db import Database, utcnow
from .tables import ApiKeyRow

PREFIX = "crk"
REMEMBER = 60.0  # seconds
_KEY = re.compile(rf"^{PREFIX}_([0-9a-f]{{12}})_([A-Za-z0-9_-]{{20,100}})$")


def is_staff_key(token: str) -> bool:
    """Whether a bearer token is meant as a staff key (OpenAI clients send some key always: any
    other token is not one, and leaves the caller an investor)."""
    return token.startswith(f"{PREFIX}_")


class ApiKeys:
    def __init__(self, database: Database):
        self.database = database
        self._checked: dict[str, tuple[str, float]] = {}  # sha256 of a key → (name, until)
        self._lock = threading.Lock()

    def create(self, name: str) -> str:
        """A new key for `name` (replacing that name's key, if any): the only time it is shown."""
        name = name.strip()
        if not name:
            raise ValueError("an API key needs a name")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        with self.database.session() as session:
            session.execute(delete(ApiKeyRow).where(ApiKeyRow.name == name))
            session.add(ApiKeyRow(key_id=key_id, name=name, hash=hash_password(secret),
                                  created_at=utcnow()))
        return f"{PREFIX}_{key_id}_{secret}"

    def names(self) -> list[tuple[str, datetime]]:
        """Who holds a key, and since when."""
        with self.database.session() as session:
            rows = session.execute(select(ApiKeyRow.name, ApiKeyRow.created_at).order_by(ApiKeyRow.name))
            return [(name, created) for name, created in rows]

    def revoke(self, name: str) -> bool:
        with self.database.session() as session:
            gone = session.execute(delete(ApiKeyRow).where(ApiKeyRow.name == name.strip())).rowcount
        with self._lock:
            self._checked.clear()
        return bool(gone)

    def holder(self, key: str) -> str | None:
        """The name the key was made for, or None when it is not a valid key."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        with self._lock:
            name, until = self._checked.get(digest, ("", 0.0))
        if until > time.monotonic():
            return name
        match = _KEY.match(key)
        if not match:
            return None
        with self.database.session() as session:
            row = session.get(ApiKeyRow, match.group(1))
        if row is None or not verify_password(match.group(2), row.hash):
            return None
        with self._lock:
            self._checked[digest] = (row.name, time.monotonic() + REMEMBER)
        return row.name
