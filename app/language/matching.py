"""How well a sentence or passage matches a question, beyond bag-of-words BM25.

Character bigrams of the question's content words reward the question's phrases appearing
together ("企业复工审批材料"), which word-level BM25 cannot see.
"""

import re
import unicodedata

from ingest.chunking import split_sentences
from ingest.lexical import quiet_jieba
from ingest.textclean import HAN

from .query import Query, is_stopword

_HAN = re.compile(f"[{HAN}]")
_RUN = re.compile(rf"[{HAN}]+|[a-z]+|\d+(?:\.\d+)?")


def grams(text: str) -> set[str]:
    """Character bigrams of Chinese runs (single characters kept), Latin words, numbers."""
    out: set[str] = set()
    for match in _RUN.finditer(unicodedata.normalize("NFKC", text).lower()):
        run = match.group()
        if _HAN.match(run) and len(run) > 1:
            out.update(run[i:i + 2] for i in range(len(run) - 1))
        else:
            out.add(run)
    return out


def query_grams(query: Query) -> set[str]:
    """Bigrams of the question with its question and function words taken out."""
    words = quiet_jieba().cut(unicodedata.normalize("NFKC", query.text).lower())
    kept = " ".join(w if not is_stopword(w) else " " for w in words)
    return grams(kept)


def gram_coverage(question: set[str], text: str) -> float:
    """Share of the question's bigrams found in the text."""
    return len(question & grams(text)) / len(question) if question else 0.0


def best_sentence(question: set[str], passage: str) -> float:
    """The highest bigram coverage of any one sentence of the passage."""
    return max((gram_coverage(question, passage[a:b]) for a, b in split_sentences(passage)), default=0.0)
