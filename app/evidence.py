"""The evidence gate: does the best passage support answering at all?

Calibrated on the development questions (benchmarks/results/gate.md): the passage must hold
most of the question's key words (IDF-weighted), the places, organisations and names the
question is about must appear in its document, and a question asking for a figure or a date
must get one.
"""

import jieba.posseg

from ingest.lexical import tokenize

from .extractive import Extract

_NAME_TAGS = ("ns", "nr", "nt", "nz", "nrt")


def names_in(question: str) -> list[str]:
    """Proper names in a question (places, organisations, people), as jieba tags them."""
    return [p.word for p in jieba.posseg.cut(question) if p.flag in _NAME_TAGS and len(p.word) > 1]


def missing_names(question: str, document: str) -> list[str]:
    """Names of the question that the document never mentions (nor any part of them)."""
    words = set(tokenize(document))
    return [name for name in names_in(question)
            if not any(part in words for part in tokenize(name) if len(part) > 1)]


def supported(found: Extract | None, question: str, document: str, min_support: float) -> bool:
    return (found is not None and found.support >= min_support and found.fits
            and not missing_names(question, document))
