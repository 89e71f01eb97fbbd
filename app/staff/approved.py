"""The approved-answers library: pitch answers staff have edited and stand behind.

Kept as one JSON file next to the index, rewritten atomically. An investor question that
closely matches an approved one gets the approved answer, marked as such.
"""

import json
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock

from app.answering.citations import cited
from app.language.matching import query_grams
from app.language.query import analyse


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


def kept_citations(answer: str, citations: list[dict]) -> list[dict]:
    """The sources of an edited answer: those its text still cites (all, when it cites none)."""
    markers = set(cited(answer))
    return [c for c in citations if c["n"] in markers] if markers else citations


class ApprovedLibrary:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = FileLock(str(self.path) + ".lock")

    def entries(self) -> list[ApprovedAnswer]:
        if not self.path.exists():
            return []
        return [ApprovedAnswer(**e) for e in json.loads(self.path.read_text(encoding="utf-8"))]

    def _write(self, entries: list[ApprovedAnswer]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=1),
                       encoding="utf-8")
        os.replace(tmp, self.path)

    def add(self, question: str, answer: str, citations: list[dict], approved_by: str,
            language: str = "zh") -> ApprovedAnswer:
        entry = ApprovedAnswer(uuid.uuid4().hex[:10], question.strip(), answer.strip(),
                               kept_citations(answer, citations),
                               approved_by, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               language)
        with self._lock:
            self._write([e for e in self.entries() if e.question != entry.question] + [entry])
        return entry

    def delete(self, entry_id: str) -> None:
        with self._lock:
            self._write([e for e in self.entries() if e.id != entry_id])

    def match(self, question: str, threshold: float) -> ApprovedAnswer | None:
        """The approved answer whose question is closest to this one, if close enough."""
        scored = [(similarity(question, e.question), e) for e in self.entries()]
        best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        return best[1] if best[0] >= threshold else None
