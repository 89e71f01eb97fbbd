"""Quality of the assistant on a question file (the format of ../shared/eval/README.md).

Each line: `id`, `question`, `lang`, `answerable`, `must` (groups of alternatives the answer must
hold one of), `evidence` (a span a retrieved passage should hold, whitespace ignored), optional
`source`. Measured per question, then summarised overall and per language:
- retrieval: the rank of the first retrieved passage holding the evidence (hit@1, hit@5, MRR);
- answers: the answer holds the key; unanswerable questions refused; answerable ones refused;
- citations: every citation is a stored passage, verbatim; every [n] of the text is a citation;
- latency per question (p50, p95).
"""

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from app.answering.answer import Answer
from app.answering.assistant import Assistant
from app.answering.citations import cited
from ingest.errors import CountyRagError

_SPACE = re.compile(r"\s+")
FAILURE_PASSAGES = 3  # retrieved passages shown per failed question


def squash(text: str) -> str:
    """Text with all white space removed, for comparing spans across line breaks."""
    return _SPACE.sub("", text)


def holds_keys(text: str, must: list[list[str]]) -> bool:
    """Whether a text holds the answer key: a string of every group of alternatives (white space
    ignored); no key, no hold."""
    squashed = squash(text)
    return bool(must) and all(any(squash(s) in squashed for s in group) for group in must)


def holds_evidence(passage: str, evidence: str) -> bool:
    """Whether a passage holds an evidence span (white space ignored). A span given as a table
    row's cells separated by spaces ("荞麦 8650 12.3") is held by a line of the passage that has
    every cell in that order: a table row reads `表N … | 产品: 荞麦 | 产量: 8650 | …`."""
    if squash(evidence) in squash(passage):
        return True
    cells = evidence.split()
    if len(cells) < 2:
        return False
    for line in passage.splitlines():
        at = 0
        for cell in cells:
            at = line.find(cell, at)
            if at < 0:
                break
            at += len(cell)
        else:
            return True
    return False


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    answerable: bool
    must: list[list[str]] = field(default_factory=list)
    evidence: str = ""
    source: str = ""


@dataclass
class Outcome:
    """What happened to one question."""

    id: str
    question: str
    lang: str
    answerable: bool
    answered: bool
    evidence_rank: int | None  # 1-based rank of the first passage holding the evidence
    has_evidence: bool  # the question gives an evidence span
    has_key: bool | None
    verbatim: bool
    markers_cited: bool
    seconds: float
    answer: str
    retrieved: list[str]  # "source: passage start" of the first passages

    @property
    def failed(self) -> bool:
        if not self.answerable:
            return self.answered
        found = not self.has_evidence or bool(self.evidence_rank and self.evidence_rank <= 5)
        return not (self.answered and self.has_key is not False and found)


def read_questions(path: Path) -> list[Question]:
    """The questions of a JSONL file; a bad line raises CountyRagError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CountyRagError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from exc
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            answerable = bool(record.get("answerable", True))
            must = [[str(s) for s in group] for group in record.get("must") or []]
            out.append(Question(str(record.get("id", number)), str(record["question"]),
                                str(record.get("lang") or ""), answerable, must,
                                str(record.get("evidence") or ""), str(record.get("source") or "")))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CountyRagError(f"{path}:{number}: not a question object (needs at least a "
                                 "\"question\"; see the README)") from None
    return out


def judge(question: Question, answer: Answer, stored: Callable[[list[str]], dict[str, str]],
          seconds: float) -> Outcome:
    """One question's outcome, from its answer."""
    rank = None
    if question.evidence.strip():
        rank = next((i for i, p in enumerate(answer.retrieved, 1)
                     if holds_evidence(p.text, question.evidence)), None)
    has_key = holds_keys(answer.text, question.must) if question.answerable and question.must else None
    chunks = stored([c.chunk_id for c in answer.citations])
    return Outcome(
        id=question.id, question=question.question,
        lang=question.lang or answer.language, answerable=question.answerable,
        answered=answer.answered, evidence_rank=rank, has_evidence=bool(question.evidence.strip()),
        has_key=has_key,
        verbatim=all(chunks.get(c.chunk_id) == c.text for c in answer.citations),
        markers_cited=set(cited(answer.text)) <= {c.n for c in answer.citations},
        seconds=seconds, answer=answer.text,
        retrieved=[f"{p.meta.get('source', '')}: {p.text[:60]}" for p in answer.retrieved[:FAILURE_PASSAGES]],
    )


def run(assistant: Assistant, questions: Iterable[Question], role: str = "investor",
        top_k: int | None = None) -> list[Outcome]:
    """Ask every question once, in order, the assistant warmed first (`Assistant.warm`), so
    that the times are those of a server that has started."""
    store = assistant.retriever.store

    def stored(ids: list[str]) -> dict[str, str]:
        return {r.id: r.text for r in store.records(ids)}

    assistant.warm()
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        answer = assistant.ask(question.question, role=role, top_k=top_k)
        outcomes.append(judge(question, answer, stored, time.perf_counter() - started))
    return outcomes


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summary(outcomes: list[Outcome]) -> dict:
    """The measures over a group of outcomes."""
    answerable = [o for o in outcomes if o.answerable]
    ranked = [o for o in answerable if o.has_evidence]
    with_key = [o for o in answerable if o.has_key is not None]
    unanswerable = [o for o in outcomes if not o.answerable]
    seconds = [o.seconds for o in outcomes]
    return {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "evidence_hit_at_1": _share([o.evidence_rank == 1 for o in ranked]),
        "evidence_hit_at_5": _share([bool(o.evidence_rank and o.evidence_rank <= 5) for o in ranked]),
        "evidence_mrr": round(float(np.mean([1 / o.evidence_rank if o.evidence_rank else 0.0
                                             for o in ranked])), 4) if ranked else None,
        "answer_has_key": _share([bool(o.answered and o.has_key) for o in with_key]),
        "unanswerable_refused": _share([not o.answered for o in unanswerable]),
        "answerable_refused": _share([not o.answered for o in answerable]),
        "citations_verbatim": _share([o.verbatim for o in outcomes]),
        "markers_cited": _share([o.markers_cited for o in outcomes]),
        "latency_p50_ms": round(float(np.percentile(seconds, 50)) * 1000, 1) if seconds else None,
        "latency_p95_ms": round(float(np.percentile(seconds, 95)) * 1000, 1) if seconds else None,
    }


def report(outcomes: list[Outcome]) -> dict:
    """Measures overall and per question language."""
    languages = sorted({o.lang for o in outcomes})
    return {"overall": summary(outcomes),
            **{f"lang_{lang}": summary([o for o in outcomes if o.lang == lang]) for lang in languages}}


_LABELS = {
    "evidence_hit_at_1": "evidence in the first passage",
    "evidence_hit_at_5": "evidence in the top 5 passages",
    "evidence_mrr": "evidence MRR",
    "answer_has_key": "answer holds the key",
    "unanswerable_refused": "unanswerable questions refused",
    "answerable_refused": "answerable questions refused",
    "citations_verbatim": "citations verbatim",
    "markers_cited": "every [n] cited",
    "latency_p50_ms": "latency p50 (ms)",
    "latency_p95_ms": "latency p95 (ms)",
}


def table(measures: dict) -> str:
    """The report as a plain-text table: one row per measure, one column per group."""
    groups = list(measures)
    width = max(len(label) for label in _LABELS.values())
    lines = [" " * width + "".join(f"{g.removeprefix('lang_'):>10}" for g in groups)]
    for key in ("questions", "answerable", "unanswerable", *_LABELS):
        label = _LABELS.get(key, key)
        cells = [_cell(measures[g][key], key) for g in groups]
        lines.append(f"{label:<{width}}" + "".join(f"{c:>10}" for c in cells))
    return "\n".join(lines)


def _cell(value, key: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not key.endswith("_ms") and key != "evidence_mrr":
        return f"{value:.1%}"
    return str(value)


def failure_lines(outcome: Outcome) -> list[str]:
    """A failed question with what was retrieved and answered."""
    why = "answered (should refuse)" if not outcome.answerable else (
        "refused" if not outcome.answered else
        "evidence not in the top 5" if outcome.has_evidence and not (
            outcome.evidence_rank and outcome.evidence_rank <= 5) else "key missing from the answer")
    lines = [f"{outcome.id}: {outcome.question}  [{why}; evidence rank {outcome.evidence_rank or '-'}]",
             f"  answer: {outcome.answer[:200]}"]
    lines += [f"  retrieved {i}. {r}" for i, r in enumerate(outcome.retrieved, 1)]
    return lines


def as_json(outcomes: list[Outcome], with_failures: bool) -> dict:
    data = report(outcomes)
    if with_failures:
        data["failures"] = [asdict(o) for o in outcomes if o.failed]
    return data
