"""The keyword side of the index: jieba tokens scored with BM25 (bm25s).

Derived from Chroma's records and cached on disk next to the index; the cache names the
collection revision it was built from and is rebuilt (a few seconds) when that changes.
"""

import json
import logging
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .documents import index_text
from .settings import IndexSettings
from .store import IndexStore

TOKENIZER_VERSION = "jieba-search-nfkc-1"
_STATE = "state.json"


def tokenize(text: str) -> list[str]:
    """Chinese words (with jieba's finer sub-words) and English words, lower-cased."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    normal = unicodedata.normalize("NFKC", text).lower()
    return [t for t in jieba.cut_for_search(normal) if not t.isspace() and _has_word_char(t)]


def _has_word_char(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


@dataclass
class LexicalIndex:
    """BM25 over the index texts of all chunks; `ids[i]` is the chunk of row i."""

    ids: list[str]
    bm25: object | None

    def scores(self, tokens: list[str]) -> np.ndarray:
        if self.bm25 is None or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self.bm25.get_scores(tokens)


def cache_dir(settings: IndexSettings) -> Path:
    if settings.chroma_host:
        name = f"bm25-{settings.chroma_host}-{settings.chroma_port}-{settings.collection}"
        return Path(settings.store) / name
    return Path(settings.store) / "bm25"


def _state(store: IndexStore) -> dict:
    return {
        "collection": str(store.collection.id),
        "content_rev": store.meta.get("content_rev"),
        "tokenizer": TOKENIZER_VERSION,
    }


def open_lexical(store: IndexStore) -> LexicalIndex:
    """The cached BM25 index if it matches the collection, else a freshly built (and saved) one."""
    folder = cache_dir(store.settings)
    try:
        if json.loads((folder / _STATE).read_text()) == _state(store):
            return _load(folder)
    except (OSError, ValueError, KeyError):
        pass
    return rebuild_lexical(store)


def rebuild_lexical(store: IndexStore) -> LexicalIndex:
    import bm25s

    state = _state(store)
    records = store.records()
    ids = [r.id for r in records]
    corpus = [tokenize(index_text(r.meta.get("title", ""), r.meta.get("heading", ""), r.text))
              for r in records]
    bm25 = None
    if ids:
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
    _save(cache_dir(store.settings), ids, bm25, state)
    return LexicalIndex(ids, bm25)


def _save(folder: Path, ids: list[str], bm25, state: dict) -> None:
    """Write into a fresh folder, then swap it in: a crash leaves the old cache or none."""
    tmp = folder.with_name(folder.name + ".tmp")
    old = folder.with_name(folder.name + ".old")
    for leftover in (tmp, old):
        shutil.rmtree(leftover, ignore_errors=True)
    tmp.mkdir(parents=True)
    if bm25 is not None:
        bm25.save(str(tmp), show_progress=False)
    (tmp / "ids.json").write_text(json.dumps(ids))
    (tmp / _STATE).write_text(json.dumps(state))
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _load(folder: Path) -> LexicalIndex:
    import bm25s

    ids = json.loads((folder / "ids.json").read_text())
    bm25 = bm25s.BM25.load(str(folder), show_progress=False) if ids else None
    return LexicalIndex(ids, bm25)
