"""The conversation log and its feedback: each question asked, how it was answered, and the
asker's thumbs up or down. Nothing about the asker is kept but an anonymous session id.

Entries older than the retention period are purged when the log opens and hourly after.
"""

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import SQLAlchemyError

from app.answering.answer import Answer

from .db import Database, DatabaseUnavailable, utcnow
from .tables import FeedbackRow, TurnRow

RATINGS = ("up", "down")
PURGE_EVERY = 3600.0  # seconds

log = logging.getLogger(__name__)


def anonymous_session(value: str | None) -> str | None:
    """A client's session or user id, hashed: the log can group a session's questions without
    holding what the client sent."""
    return hashlib.sha256(value.encode()).hexdigest()[:16] if value else None


@dataclass
class LoggedTurn:
    """A logged question with its answer and feedback, as staff read it."""

    id: str
    at: datetime
    session: str | None
    surface: str
    role: str
    question: str
    standalone: str | None
    answer: str
    mode: str
    answered: bool
    cited: list[str]
    seconds: float
    language: str
    rating: str | None = None
    comment: str | None = None


class TurnRecorder:
    """Logs one chat turn; `app.answering.turn.respond` calls `record` with the final answer.
    `id` is known before the answer, so a surface can hand it out for feedback."""

    def __init__(self, conversations: "ConversationLog", surface: str, session: str | None):
        self.id = uuid.uuid4().hex
        self.conversations = conversations
        self.surface = surface
        self.session = session

    def record(self, answer: Answer, role: str, seconds: float) -> None:
        self.conversations.record(self, answer, role, seconds)


class ConversationLog:
    def __init__(self, database: Database, retention_days: int):
        self.database = database
        self.retention = timedelta(days=retention_days)
        self._next_purge = 0.0

    def turn(self, surface: str, session: str | None = None) -> TurnRecorder:
        """A recorder for the next question of this surface ("web", "api", …) and session
        (already anonymous: see `anonymous_session`)."""
        return TurnRecorder(self, surface, session)

    def record(self, turn: TurnRecorder, answer: Answer, role: str, seconds: float) -> None:
        """Log a turn. A database failure is logged, never raised: the asker still gets the answer."""
        row = TurnRow(
            id=turn.id, at=utcnow(), session=turn.session, surface=turn.surface, role=role,
            question=answer.question, standalone=answer.standalone_question, answer=answer.text,
            mode=answer.mode, answered=answer.answered, cited=[c.chunk_id for c in answer.citations],
            seconds=round(seconds, 4), language=answer.language,
        )
        try:
            self._purge_when_due()
            with self.database.session() as session:
                session.add(row)
        except (DatabaseUnavailable, SQLAlchemyError):
            log.exception("could not log the answer to %r", answer.question[:80])

    def rate(self, turn_id: str, rating: str, comment: str | None = None) -> bool:
        """Record (or replace) the feedback on a logged answer; False when no such answer.
        Raises DatabaseUnavailable when the database cannot be reached."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
        with self.database.session() as session:
            if session.get(TurnRow, turn_id) is None:
                return False
            row = session.get(FeedbackRow, turn_id) or FeedbackRow(turn_id=turn_id)
            row.rating, row.comment, row.at = rating, (comment or "").strip() or None, utcnow()
            session.add(row)
        return True

    def unrate(self, turn_id: str) -> None:
        """Withdraw the feedback on an answer (a thumb clicked again). Raises DatabaseUnavailable."""
        with self.database.session() as session:
            session.execute(delete(FeedbackRow).where(FeedbackRow.turn_id == turn_id))

    def recent(self, since: datetime | None = None, refused: bool = False, thumbs_down: bool = False,
               limit: int | None = 500) -> list[LoggedTurn]:
        """Logged turns, newest first; `refused` and `thumbs_down` keep those that went unanswered
        or were judged wrong (either, when both are set)."""
        query = _with_feedback()
        if since is not None:
            query = query.where(TurnRow.at >= since)
        problems = ([TurnRow.answered.is_(False)] if refused else []) + (
            [FeedbackRow.rating == "down"] if thumbs_down else [])
        if problems:
            query = query.where(or_(*problems))
        query = query.order_by(TurnRow.at.desc()).limit(limit)
        with self.database.session() as session:
            return [_logged(turn, feedback) for turn, feedback in session.execute(query)]

    def logged(self, turn_id: str) -> LoggedTurn | None:
        """One logged turn by its id, with its feedback."""
        query = _with_feedback().where(TurnRow.id == turn_id)
        with self.database.session() as session:
            found = session.execute(query).first()
        return _logged(*found) if found else None

    def purge(self, now: datetime | None = None) -> int:
        """Delete turns (and their feedback) older than the retention period; how many went."""
        cutoff = (now or utcnow()) - self.retention
        old = select(TurnRow.id).where(TurnRow.at < cutoff)
        with self.database.session() as session:
            session.execute(delete(FeedbackRow).where(FeedbackRow.turn_id.in_(old)))
            removed = session.execute(delete(TurnRow).where(TurnRow.at < cutoff)).rowcount
        self._next_purge = time.monotonic() + PURGE_EVERY
        return removed

    def _purge_when_due(self) -> None:
        if time.monotonic() >= self._next_purge:
            self.purge()


def _with_feedback():
    return select(TurnRow, FeedbackRow).outerjoin(FeedbackRow, FeedbackRow.turn_id == TurnRow.id)


def _logged(turn: TurnRow, feedback: FeedbackRow | None) -> LoggedTurn:
    return LoggedTurn(
        turn.id, turn.at, turn.session, turn.surface, turn.role, turn.question, turn.standalone,
        turn.answer, turn.mode, turn.answered, list(turn.cited), turn.seconds, turn.language,
        feedback.rating if feedback else None, feedback.comment if feedback else None,
    )
