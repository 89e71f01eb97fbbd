"""The keyword side of the index: jieba tokens scored with BM25 (bm25s).

Derived from Chroma's records and cached on disk next to the index; the cache names the
collection revision it was built from and is rebuilt (a few seconds) when that changes.
"""

import json
import logging
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .documents import index_text, rejoin
from .settings import IndexSettings
from .store import IndexStore, Record

TOKENIZER_VERSION = "jieba-search-nfkc-2"
_STATE = "state.json"


_WORD_CHAR = re.compile(r"[^\W_]")


@lru_cache(maxsize=1)
def quiet_jieba():
    """The jieba module, without its "Building prefix dict" chatter (it sets DEBUG on import)."""
    import jieba
    import jieba.posseg  # noqa: F401  (loaded here so every user gets the quiet logger)

    jieba.setLogLevel(logging.WARNING)
    return jieba


def tokenize(text: str) -> list[str]:
    """Chinese words (with jieba's finer sub-words) and English words, lower-cased."""
    normal = unicodedata.normalize("NFKC", text).lower()
    return [t for t in quiet_jieba().cut_for_search(normal) if _WORD_CHAR.search(t)]


@dataclass
class LexicalIndex:
    """BM25 over the index texts of all chunks (`ids[i]` is the chunk of row i), and over whole
    documents (`doc_of[i]` is the document row of chunk row i), so a question can be matched
    both to a passage and to the document around it."""

    ids: list[str]
    bm25: object | None
    doc_of: np.ndarray
    doc_bm25: object | None

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk."""
        if self.bm25 is None or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self.bm25.get_scores(tokens)

    def frequency(self, token: str) -> int:
        """How many chunks hold the token."""
        if self.bm25 is None:
            return 0
        row = self.bm25.vocab_dict.get(token)
        indptr = self.bm25.scores["indptr"]
        return 0 if row is None else int(indptr[row + 1] - indptr[row])

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """Inverse document frequency over chunks; a word no chunk holds gets the highest."""
        n = len(self.ids)
        return {t: float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
                for t, df in ((t, self.frequency(t)) for t in tokens)}

    def doc_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of the document each chunk belongs to, one value per chunk."""
        if self.doc_bm25 is None or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self.doc_bm25.get_scores(tokens)[self.doc_of]


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
    """Build the keyword index from the collection and cache it."""
    state = _state(store)
    index = build_lexical(store.records())
    _save(cache_dir(store.settings), index, state)
    return index


def build_lexical(records: list[Record]) -> LexicalIndex:
    """BM25 over chunks and over whole documents (rebuilt from their chunks)."""
    import bm25s

    corpus = [tokenize(index_text(r.meta.get("title", ""), r.meta.get("heading", ""), r.text))
              for r in records]
    docs: dict[str, list[Record]] = {}
    for r in records:
        docs.setdefault(r.meta["doc_id"], []).append(r)
    doc_rows = {doc_id: row for row, doc_id in enumerate(docs)}
    doc_of = np.array([doc_rows[r.meta["doc_id"]] for r in records], dtype=np.int32)
    doc_corpus = [
        tokenize(index_text(rs[0].meta.get("title", ""), "", rejoin(
            [(r.meta["char_start"], r.meta["char_end"], r.text) for r in rs])))
        for rs in docs.values()
    ]
    return LexicalIndex([r.id for r in records], _bm25(bm25s, corpus), doc_of,
                        _bm25(bm25s, doc_corpus))


def _bm25(bm25s, corpus: list[list[str]]):
    if not corpus:
        return None
    model = bm25s.BM25()
    model.index(corpus, show_progress=False)
    return model


def write_cache(folder: Path, fill: Callable[[Path], None]) -> None:
    """Write a cache folder: `fill` writes into a fresh folder, which is then swapped in, so a
    crash leaves the old cache or none."""
    tmp = folder.with_name(folder.name + ".tmp")
    old = folder.with_name(folder.name + ".old")
    for leftover in (tmp, old):
        shutil.rmtree(leftover, ignore_errors=True)
    tmp.mkdir(parents=True)
    fill(tmp)
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _save(folder: Path, index: LexicalIndex, state: dict) -> None:
    def fill(tmp: Path) -> None:
        for name, model in (("chunks", index.bm25), ("docs", index.doc_bm25)):
            if model is not None:
                model.save(str(tmp / name), show_progress=False)
        (tmp / "ids.json").write_text(json.dumps(index.ids))
        np.save(tmp / "doc_of.npy", index.doc_of)
        (tmp / _STATE).write_text(json.dumps(state))

    write_cache(folder, fill)


def _load(folder: Path) -> LexicalIndex:
    import bm25s

    ids = json.loads((folder / "ids.json").read_text())
    models = [bm25s.BM25.load(str(folder / name), show_progress=False) if ids else None
              for name in ("chunks", "docs")]
    return LexicalIndex(ids, models[0], np.load(folder / "doc_of.npy"), models[1])
