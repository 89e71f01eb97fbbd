"""The approved-answers library: pitch answers staff have edited and stand behind.

Kept in the app database (`db.py`), so every app server sees the same library. An investor
question that closely matches an approved one gets the approved answer, marked as such. A
library file from before the database (`approved.json` beside the index) is moved into it once.
"""

import json
import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from app.answering.citations import cited
from app.language.matching import query_grams
from app.language.query import analyse

from .db import Database, DatabaseUnavailable
from .tables import ApprovedRow

LEGACY_FILE = "approved.json"
MIGRATED_SUFFIX = ".migrated"

log = logging.getLogger(__name__)


@dataclass
class ApprovedAnswer:
    id: str
    question: str
    answer: str
    citations: list[dict]  # Citation.to_json() at approval time, passage text included
    approved_by: str
    approved_at: str  # ISO 8601, UTC
    language: str = "zh"


def similarity(a: str, b: str) -> float:
    """Overlap (Jaccard) of two questions' content bigrams, question and function words aside."""
    ga, gb = query_grams(analyse(a)), query_grams(analyse(b))
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


def _entry(row: ApprovedRow) -> ApprovedAnswer:
    return ApprovedAnswer(row.id, row.question, row.answer, list(row.citations), row.approved_by,
                          row.approved_at, row.language)


def kept_citations(answer: str, citations: list[dict]) -> list[dict]:
    """The sources of an edited answer: those its text still cites (all, when it cites none)."""
    markers = set(cited(answer))
    return [c for c in citations if c["n"] in markers] if markers else citations


class ApprovedLibrary:
    """The approved answers in the app database (`state.open_state` opens it, moving a legacy
    `approved.json` into it)."""

    def __init__(self, database: Database):
        self.database = database

    def entries(self) -> list[ApprovedAnswer]:
        with self.database.session() as session:
            return [_entry(r) for r in session.scalars(select(ApprovedRow).order_by(ApprovedRow.row))]

    def add(self, question: str, answer: str, citations: list[dict], approved_by: str,
            language: str = "zh") -> ApprovedAnswer:
        entry = ApprovedAnswer(uuid.uuid4().hex[:10], question.strip(), answer.strip(),
                               kept_citations(answer, citations),
                               approved_by, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               language)
        with self.database.session() as session:
            session.execute(delete(ApprovedRow).where(ApprovedRow.question == entry.question))
            session.add(ApprovedRow(**asdict(entry)))
        return entry

    def delete(self, entry_id: str) -> None:
        with self.database.session() as session:
            session.execute(delete(ApprovedRow).where(ApprovedRow.id == entry_id))

    def match(self, question: str, threshold: float) -> ApprovedAnswer | None:
        """The approved answer whose question is closest to this one, if close enough. With the
        database out of reach there is none (logged): the assistant answers meanwhile."""
        try:
            entries = self.entries()
        except (DatabaseUnavailable, SQLAlchemyError):
            log.exception("approved answers unavailable")
            return None
        scored = [(similarity(question, e.question), e) for e in entries]
        best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        return best[1] if best[0] >= threshold else None


def migrate_json(database: Database, path: Path) -> int:
    """Move the entries of a legacy library file into the database, then rename the file
    (`approved.json.migrated`). Entries already there (by id) are skipped, so a run cut short
    is finished by the next. A file that cannot be read is left in place, with a warning.
    Returns how many entries were added."""
    path = Path(path)
    if not path.exists():
        return 0
    with FileLock(str(path) + ".lock"):
        if not path.exists():  # another server migrated it meanwhile
            return 0
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
            entries = [ApprovedAnswer(**r) for r in records]
        except (OSError, ValueError, TypeError) as exc:
            log.warning("%s: not a library of approved answers (%s); left in place", path, exc)
            return 0
        with database.session() as session:
            have = set(session.scalars(select(ApprovedRow.id)))
            fresh = [e for e in entries if e.id not in have]
            session.add_all(ApprovedRow(**asdict(e)) for e in fresh)
        path.replace(path.with_name(path.name + MIGRATED_SUFFIX))
    return len(fresh)
