"""Answer candidates: runs of one to three consecutive sentences of a retrieved passage.

Sentences are never rewritten: a candidate is a span of its passage's text. A line break always
ends a sentence; a run may cross one (a lead-in line and the line it announces).
"""

from dataclasses import dataclass

from app.retrieval.retriever import Passage
from ingest.chunking import split_sentences

MAX_RUN = 3  # sentences in a candidate
MAX_RUN_CHARS = 360  # a run of several sentences stops growing beyond this length


@dataclass(frozen=True)
class Candidate:
    """Sentences `first..last` (inclusive) of passage number `passage`: text[start:end]."""

    passage: int
    first: int
    last: int
    start: int
    end: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage; a line break always ends a sentence."""
    spans, offset = [], 0
    for line in text.split("\n"):
        spans.extend(split_sentences(line, offset))
        offset += len(line) + 1
    return spans


def runs(passage: int, spans: list[tuple[int, int]], skip: frozenset[int] = frozenset()) -> list[Candidate]:
    """Every run of up to MAX_RUN consecutive sentences of a passage, none of them in `skip`
    (the document's title line: context, not an answer)."""
    out = []
    for i, (start, _) in enumerate(spans):
        for j in range(i, min(i + MAX_RUN, len(spans))):
            end = spans[j][1]
            if j in skip or (j > i and end - start > MAX_RUN_CHARS):
                break
            out.append(Candidate(passage, i, j, start, end))
    return out


def place(candidate: Candidate, passage: Passage) -> tuple[str, int, int]:
    """Where a candidate's text is in its document: (document, start, end). Overlapping chunks
    hold the same sentences; their candidates have the same place."""
    start = int(passage.meta.get("char_start", 0))
    return str(passage.meta.get("doc_id", passage.id)), start + candidate.start, start + candidate.end


def overlapping(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    """Whether two places share text."""
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
