"""The app database's tables (SQLAlchemy ORM): approved answers, the conversation log and its
feedback, staff API keys and staff sessions. Times are naive UTC (`db.utcnow`), the same on
SQLite and PostgreSQL."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ApprovedRow(Base):
    """One approved answer; `row` keeps the order of approval (a re-approval moves to the end)."""

    __tablename__ = "approved_answers"

    row: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    citations: Mapped[list] = mapped_column(JSON)
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[str] = mapped_column(String(40))  # ISO 8601, UTC, as shown to staff
    language: Mapped[str] = mapped_column(String(8), default="zh")


class TurnRow(Base):
    """One logged question and its answer. Nothing about the asker but an anonymous session id."""

    __tablename__ = "conversation_log"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    session: Mapped[str | None] = mapped_column(String(64), index=True)
    surface: Mapped[str] = mapped_column(String(16))  # web, api, widget…
    role: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    standalone: Mapped[str | None] = mapped_column(Text)  # the rewrite of a follow-up
    answer: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(80))
    answered: Mapped[bool] = mapped_column(Boolean, index=True)
    cited: Mapped[list] = mapped_column(JSON)  # chunk ids
    seconds: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(8))


class FeedbackRow(Base):
    """An asker's judgement of one answer; a second rating replaces the first."""

    __tablename__ = "feedback"

    turn_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("conversation_log.id", ondelete="CASCADE"), primary_key=True)
    rating: Mapped[str] = mapped_column(String(8), index=True)  # up | down
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)


class ApiKeyRow(Base):
    """A staff API key: its public id and the scrypt hash of its secret (app.staff.auth)."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StaffSessionRow(Base):
    """A staff login session, by the SHA-256 of its token, shared by every app server."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
