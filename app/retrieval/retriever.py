"""Hybrid retrieval: BM25 (jieba) and dense (Chroma) candidates fused by reciprocal rank fusion.

The dense side only gets a vote when the embedding model can read the question and the passages
(few [UNK] tokens). The bundled English model turns most Chinese characters into [UNK]; fusing
its near-random ranking would dilute a good keyword ranking, so then the keyword side decides.
"""

import math
import threading
import time
from dataclasses import dataclass

import numpy as np

from app.language.matching import best_sentence, query_grams
from app.language.query import Query
from app.settings import Settings
from ingest.embedder import Embedder
from ingest.lexical import LexicalIndex, open_lexical, tokenize
from ingest.store import IndexStore, Record
from ingest.visibility import open_visibility

ROLES = ("investor", "staff")
RRF_K = 60
CANDIDATES = 50
READABLE = 0.9  # share of known tokens from which the dense ranking gets a full vote
UNFILTERED_SHARE = 0.25  # the dense query is unfiltered while at least this share is searchable
SPARE = 1.2  # dense candidates asked for beyond those expected to be searchable
RECOUNT_AFTER = 1.0  # seconds: while the revisions stand, the collection's size is read this seldom


@dataclass
class Passage:
    """A retrieved chunk with its fused score and where each side ranked it (0 = not found)."""

    record: Record
    score: float
    lexical_rank: int = 0
    dense_rank: int = 0

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def text(self) -> str:
        return self.record.text

    @property
    def meta(self) -> dict:
        return self.record.meta


@dataclass
class Retrieval:
    passages: list[Passage]
    dense_weight: float


def reading_weight(unknown: float) -> float:
    """How much a model's similarities count, given the share of tokens it cannot read ([UNK]):
    fully from READABLE known tokens, nothing at half or less."""
    return float(np.clip((1.0 - unknown - 0.5) / (READABLE - 0.5), 0.0, 1.0))


def visible_to(role: str) -> set[str]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return {"public", "internal"} if role == "staff" else {"public"}


class Retriever:
    """Searches one index for one process; reloads derived data when the index changes."""

    def __init__(self, settings: Settings, store: IndexStore, embedder: Embedder):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self._revs: tuple = ()
        self._lock = threading.RLock()  # refresh swaps the keyword index and visibility together
        self.lexical: LexicalIndex | None = None
        self.visibility = np.array([], dtype=object)  # per keyword row: who may see it (HIDDEN: no one)
        self.dense = np.array([], dtype=bool)  # per keyword row: its vector is real, not a placeholder
        self._visible: dict[str, np.ndarray] = {}  # role -> per keyword row: the role may see it
        self._rows: dict[str, int] = {}  # chunk id -> keyword row
        self._stored = 0  # chunks in the collection (the dense query may match any of them)
        self._counted = 0.0  # when the collection's size was last read (time.monotonic)
        self.refresh()

    def refresh(self) -> None:
        """Pick up new documents and visibility changes written since the last search."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        """Only live versions are searchable (`ingest.store.catalog`); a write cut off before
        its revision bump still changes the collection's size, which is checked too, at most
        every RECOUNT_AFTER seconds while the revisions stand (Chroma's count takes 25 ms at
        200,000 chunks; the chunks of such a write are of an incomplete version or one the
        next start repairs, so a second's delay in seeing them hides nothing that should show)."""
        self.store.collection = self.store.client.get_collection(
            self.settings.collection, embedding_function=None)
        meta = self.store.meta
        now = time.monotonic()
        if (self._revs and (meta.get("content_rev"), meta.get("meta_rev")) == self._revs[::2]
                and now - self._counted < RECOUNT_AFTER):
            return
        count = self.store.collection.count()
        self._counted = now
        revs = (meta.get("content_rev"), count, meta.get("meta_rev"))
        if revs == self._revs:
            return
        if not self._revs or revs[:2] != self._revs[:2]:
            self.lexical = open_lexical(self.store)
            self._rows = {chunk_id: row for row, chunk_id in enumerate(self.lexical.ids)}
        self.visibility, self.dense = open_visibility(self.store, self.lexical.ids, count)
        self._visible = {role: np.isin(self.visibility, list(visible_to(role))) for role in ROLES}
        self._stored = count
        self._revs = revs

    @property
    def revision(self) -> tuple:
        """Changes whenever the index's content or visibilities do (as of the last refresh)."""
        return (str(self.store.collection.id), *self._revs)

    def closest(self, text: str, k: int) -> tuple[list[str], list[str]]:
        """Ids of the k public and the k other passages whose words best match `text` (BM25),
        best first: where a sentence's wording may come from, for each audience."""
        with self._lock:
            scores = self.lexical.scores(tokenize(text))
            public = self._visible["investor"]
            return tuple(  # type: ignore[return-value]
                [self.lexical.ids[i] for i in _top(np.where(mask & (scores > 0), scores, 0.0), k)]
                for mask in (public, ~public))

    def dense_weight(self, query: Query, sample: list[Record]) -> float:
        """1 when the model reads the question and the top passages, falling to 0 as it cannot."""
        unknown = max([self.embedder.unknown_rate(query.text)]
                      + [self.embedder.unknown_rate(r.text[:200]) for r in sample[:5]])
        return reading_weight(unknown)

    def search(self, query: Query, role: str, k: int) -> Retrieval:
        visible_to(role)  # a role that does not exist is an error
        with self._lock:
            lexical = self._lexical(query, self._visible[role])
        weight = self.dense_weight(query, [r for r, _ in lexical])
        dense = self._dense(query, role) if weight > 0 else []
        fused: dict[str, float] = {}
        ranks: dict[str, list[int]] = {}
        for rank, (record, _) in enumerate(lexical, 1):
            fused[record.id] = fused.get(record.id, 0.0) + 1.0 / (RRF_K + rank)
            ranks.setdefault(record.id, [0, 0])[0] = rank
        for rank, chunk_id in enumerate(dense, 1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank)
            ranks.setdefault(chunk_id, [0, 0])[1] = rank
        order = sorted(fused, key=lambda i: (-fused[i], ranks[i][0] or CANDIDATES + 1))
        top = order[: max(k, 1) * 4]
        records = {r.id: r for r, _ in lexical}
        missing = [i for i in top if i not in records]
        records.update({r.id: r for r in self.store.records(missing)})
        passages = [Passage(records[i], fused[i], *ranks[i]) for i in top if i in records]
        return Retrieval(passages, weight)

    def _lexical(self, query: Query, visible: np.ndarray) -> list[tuple[Record, float]]:
        """Keyword candidates among the `visible` rows: passage score plus a share of its
        document's score (both scaled to the best), then reordered by how closely a sentence of
        the passage holds the question's phrases."""
        chunk = self.lexical.scores(query.keywords)
        if not len(chunk):
            return []
        doc = self.lexical.doc_scores(query.keywords)
        scores = _scaled(chunk, visible) + self.settings.doc_weight * _scaled(doc, visible)
        scores = np.where(visible & (chunk > 0), scores, 0.0)
        top = [i for i in np.argsort(-scores)[:CANDIDATES] if scores[i] > 0]
        records = {r.id: r for r in self.store.records([self.lexical.ids[i] for i in top])}
        phrases = query_grams(query)
        rescored = [
            (record, float(scores[i]) + self.settings.phrase_weight * best_sentence(phrases, record.text))
            for i in top if (record := records.get(self.lexical.ids[i])) is not None
        ]
        return sorted(rescored, key=lambda pair: -pair[1])

    def _dense(self, query: Query, role: str) -> list[str]:
        """Nearest chunks the role may see whose vectors are real (chunks the model could not
        read hold placeholders). Chroma's query with a metadata filter slows down with every
        chunk the filter lets through (125 ms against 4 ms unfiltered at 10,000 chunks), so while
        most chunks are searchable the query is unfiltered, asks for enough more to make up for
        the others, and drops them by the retriever's own map; when few are, it is filtered."""
        vector = self.embedder.embed_query(query.text)
        with self._lock:
            searchable = self._visible[role] & self.dense
            rows, stored = self._rows, self._stored
        share = float(searchable.sum()) / stored if stored else 0.0
        if share == 0.0:
            return []
        if share < UNFILTERED_SHARE:
            where = {"$and": [{"visibility": {"$in": sorted(visible_to(role))}}, {"dense": True}]}
            return self.store.collection.query(
                query_embeddings=[vector], n_results=CANDIDATES, where=where, include=[])["ids"][0]
        wanted = min(stored, math.ceil(CANDIDATES / share * SPARE))
        found = self.store.collection.query(query_embeddings=[vector], n_results=wanted, include=[])
        return [i for i in found["ids"][0] if i in rows and searchable[rows[i]]][:CANDIDATES]


def _top(scores: np.ndarray, k: int) -> list[int]:
    """Rows of the k highest positive scores, best first."""
    if len(scores) > k:
        rows = np.argpartition(-scores, k)[:k]
    else:
        rows = np.arange(len(scores))
    return [int(i) for i in rows[np.argsort(-scores[rows])] if scores[i] > 0]


def _scaled(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    best = float(scores[mask].max()) if mask.any() else 0.0
    return scores / best if best > 0 else scores
