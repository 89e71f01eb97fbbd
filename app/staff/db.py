"""The app database: SQLite in the store folder by default, PostgreSQL (or any SQLAlchemy URL)
when `COUNTY_RAG_DATABASE_URL` is set, so that several app servers share their state.

Tables (`tables.py`) are created on first use; nothing is opened at import.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.settings import Settings
from ingest.errors import CountyRagError

from .tables import Base

SQLITE_NAME = "app.db"
SQLITE_BUSY_MS = 10_000
_SCHEMA_LOCK = 0x636F756E  # PostgreSQL advisory lock held while creating tables


class DatabaseUnavailable(CountyRagError):
    """The app database cannot be opened (bad URL, server down, no driver)."""


def utcnow() -> datetime:
    """Now, as the naive UTC time the tables hold."""
    return datetime.now(UTC).replace(tzinfo=None)


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{(Path(folder) / SQLITE_NAME).resolve()}"


def database_url(settings: Settings) -> str:
    """COUNTY_RAG_DATABASE_URL, else SQLite in the store folder."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return sqlite_url(settings.store)


class Database:
    """One engine; `session()` gives a transaction that commits when its block ends."""

    def __init__(self, url: str):
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise DatabaseUnavailable(f"COUNTY_RAG_DATABASE_URL is not a database URL: {exc}") from exc
        self.where = parsed.render_as_string(hide_password=True)
        try:
            if parsed.get_backend_name() == "sqlite" and parsed.database:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(parsed, pool_pre_ping=True)
        except (ImportError, SQLAlchemyError, OSError) as exc:
            raise DatabaseUnavailable(f"cannot open the app database {self.where}: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._ready = False
        self._lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _create_tables(self) -> None:
        """Create missing tables once per process; on PostgreSQL under a lock, so that servers
        starting together do not race."""
        with self._lock:
            if self._ready:
                return
            try:
                with self.engine.begin() as connection:
                    if self.dialect == "postgresql":
                        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                           {"key": _SCHEMA_LOCK})
                    Base.metadata.create_all(connection)
            except SQLAlchemyError as exc:
                raise DatabaseUnavailable(f"cannot open the app database {self.where}: {_reason(exc)}") from exc
            self._ready = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed at the end of the block, rolled back on error.
        A lost connection (server down, file unreadable) raises DatabaseUnavailable."""
        if not self._ready:
            self._create_tables()
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise DatabaseUnavailable(f"the app database {self.where} failed: {_reason(exc)}") from exc

    def close(self) -> None:
        self.engine.dispose()


def _reason(exc: SQLAlchemyError) -> str:
    """The first line of what the database driver said."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _sqlite_pragmas(connection, _record) -> None:
    """Several threads and processes on one file: write-ahead log, wait on locks."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_database(settings: Settings) -> Database:
    return Database(database_url(settings))
