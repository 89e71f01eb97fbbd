"""Typed results of answering: an Answer with its numbered Citations and retrieved passages."""

from dataclasses import dataclass, field

from app.retrieval.retriever import Passage


@dataclass
class Citation:
    """A passage an answer relies on; `highlights` are the sentences of it the answer used."""

    n: int
    chunk_id: str
    source: str
    page: int | None
    text: str
    score: float
    title: str = ""
    highlights: list[str] = field(default_factory=list)
    kind: str = "prose"  # "table": the text is table rows, one self-describing line each
    ocr: bool = False  # the text was recognised from a scan

    @classmethod
    def of(cls, n: int, passage: Passage, score: float, highlights: list[str]) -> "Citation":
        meta = passage.meta
        return cls(n, passage.id, meta.get("source", ""), meta.get("page"), passage.text,
                   round(score, 4), meta.get("title", ""), highlights, meta.get("kind", "prose"),
                   bool(meta.get("ocr", False)))

    def to_json(self) -> dict:
        return {"n": self.n, "chunk_id": self.chunk_id, "source": self.source, "page": self.page,
                "text": self.text, "score": self.score, "title": self.title,
                "highlights": self.highlights, "kind": self.kind, "ocr": self.ocr}


@dataclass
class Answer:
    """What the assistant says, and on what grounds."""

    question: str
    text: str
    answered: bool
    citations: list[Citation]
    retrieved: list[Passage]
    scores: list[float]  # of `retrieved`, best = 1
    mode: str = "extractive"
    language: str = "zh"
    standalone_question: str | None = None
    notices: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The object `county-rag ask --json` prints (ARCHITECTURE.md), with a few extra keys."""
        return {
            "question": self.question,
            "answer": self.text,
            "answered": self.answered,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [
                {"chunk_id": p.id, "source": p.meta.get("source", ""), "page": p.meta.get("page"),
                 "text": p.text, "score": round(s, 4), "title": p.meta.get("title", "")}
                for p, s in zip(self.retrieved, self.scores)
            ],
            "mode": self.mode,
            "language": self.language,
            "standalone_question": self.standalone_question,
            "notices": self.notices,
            "flags": self.flags,
        }
