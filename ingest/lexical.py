"""The keyword side of the index: jieba tokens scored with BM25 (bm25s).

Derived from the live versions of Chroma's records (`IndexStore.live_records`) and cached on disk
next to the index; the cache names the collection revision and size it was built from and is
rebuilt (a few seconds) when either changes.
"""

import json
import logging
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache, reduce
from pathlib import Path

import numpy as np

from .documents import index_text, rejoin
from .settings import IndexSettings
from .store import IndexStore, Record
from .textclean import HAN

TOKENIZER_VERSION = "jieba-search-nfkc-2"
_STATE = "state.json"


_WORD_CHAR = re.compile(r"[^\W_]")
_NAME_LIKE = re.compile(f"[{HAN}]{{2,6}}")
_PLACE_KINDS = ("zhen", "xian", "shi", "cun", "qu", "xiang", "sheng")  # 镇 县 市 村 区 乡 省
_MIN_PINYIN = 5
_NAME_TAGS = frozenset("ns nr nt nz nrt nrfg".split())
_MAX_READINGS = 8


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

    def postings(self, word: str) -> np.ndarray:
        """Sorted rows of the chunks that hold the word; a word the index does not hold as one
        token (职业技能培训), those that hold each of its tokens."""
        if self.bm25 is None:
            return np.zeros(0, dtype=np.int64)
        matrix, vocab = self.bm25.scores, self.bm25.vocab_dict
        parts = [word] if word in vocab else tokenize(word)
        rows = [matrix["indices"][matrix["indptr"][r]:matrix["indptr"][r + 1]]
                for r in (vocab.get(p) for p in parts) if r is not None]
        if len(rows) < len(parts) or not rows:
            return np.zeros(0, dtype=np.int64)
        return reduce(np.intersect1d, rows) if len(rows) > 1 else rows[0]

    def cooccurrence(self, words: list[str]) -> np.ndarray:
        """How many chunks hold both of two words, for every pair (its diagonal: how many hold
        each word)."""
        from scipy.sparse import csr_matrix

        rows = [self.postings(w) for w in words]
        indptr = np.cumsum([0, *(len(r) for r in rows)])
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        held = csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                          shape=(len(words), len(self.ids)))
        return (held @ held.T).toarray()

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """Inverse document frequency over chunks; a word no chunk holds gets the highest."""
        n = len(self.ids)
        return {t: float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
                for t, df in ((t, self.frequency(t)) for t in tokens)}

    @cached_property
    def _pinyin(self) -> dict[str, list[str]]:
        """The index's names (words jieba's dictionary tags as places, people or organisations,
        or does not know) by their toneless pinyin; built on first use."""
        from itertools import islice, product

        from pypinyin import Style, pinyin

        tags = quiet_jieba().posseg.dt.word_tag_tab
        table: dict[str, list[str]] = {}
        names = [w for w in self.bm25.vocab_dict if _NAME_LIKE.fullmatch(w)
                 and tags.get(w, "nz") in _NAME_TAGS] if self.bm25 else []
        chars = sorted({c for w in names for c in w})
        sounds = dict(zip(chars, pinyin(chars, style=Style.NORMAL, heteronym=True)))
        for word in names:  # every reading of a character (都: du, dou), a few per word at most
            for reading in islice(product(*(sounds[c] for c in word)), _MAX_READINGS):
                table.setdefault("".join(reading), []).append(word)
        return table

    def by_pinyin(self, word: str) -> list[str]:
        """The index's words written so in pinyin (huaitang → 槐塘镇, qinghe → 青禾), most
        frequent first; a place's kind may follow the name (镇, 县, 市…)."""
        word = word.lower()
        if len(word) < _MIN_PINYIN or not word.isascii() or not word.isalpha():
            return []
        table = self._pinyin
        found = table.get(word, []) + [w for kind in _PLACE_KINDS for w in table.get(word + kind, [])]
        return sorted(found, key=lambda w: (-self.frequency(w), w))

    @cached_property
    def rows(self) -> dict[str, int]:
        """Row of each chunk id."""
        return {chunk_id: row for row, chunk_id in enumerate(self.ids)}

    def document_holds(self, chunk_id: str, token: str) -> bool:
        """Whether the document of a chunk holds the token anywhere (title included)."""
        row = self.rows.get(chunk_id)
        term = None if self.doc_bm25 is None else self.doc_bm25.vocab_dict.get(token)
        if row is None or term is None:
            return False
        matrix = self.doc_bm25.scores
        docs = matrix["indices"][matrix["indptr"][term]:matrix["indptr"][term + 1]]
        doc = self.doc_of[row]
        at = int(np.searchsorted(docs, doc))
        return at < len(docs) and docs[at] == doc

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
        "count": store.collection.count(),  # a write cut off before its revision bump
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
    """Build the keyword index from the collection's live versions and cache it."""
    state = _state(store)
    index = build_lexical(store.live_records())
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
