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
    page_end: int | None = None  # the last page of what is quoted, when it runs over a page end

    @classmethod
    def of(cls, n: int, passage: Passage, score: float, highlights: list[str]) -> "Citation":
        """`page` is where the highlighted sentences (or, with none, the passage) begin."""
        meta = passage.meta
        found = [(at, at + len(h)) for h in highlights if (at := passage.text.find(h)) >= 0]
        start, end = (min(found)[0], max(e for _, e in found)) if found else (0, len(passage.text))
        page, last = passage.record.pages(start, end)
        return cls(n, passage.id, meta.get("source", ""), page, passage.text,
                   round(score, 4), meta.get("title", ""), highlights, meta.get("kind", "prose"),
                   bool(meta.get("ocr", False)), last if last != page else None)

    @property
    def pages(self) -> str:
        """The page, or the pages, as shown: 18, 18–19; empty when the source has none."""
        if self.page is None:
            return ""
        return f"{self.page}–{self.page_end}" if self.page_end else str(self.page)

    def to_json(self) -> dict:
        return {"n": self.n, "chunk_id": self.chunk_id, "source": self.source, "page": self.page,
                "page_end": self.page_end, "text": self.text, "score": self.score, "title": self.title,
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
