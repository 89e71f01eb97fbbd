"""The Chroma side of the index: one collection of chunks, its model record, per-file state.

Chroma is the source of truth. Every chunk carries its file's identity and content hash, and the
number of chunks the file was cut into, so which files are fully indexed is read from Chroma
itself: a run killed mid-file leaves that file visibly incomplete and the next run redoes it.
"""

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import CHUNKER_VERSION
from .documents import Chunk, Document, heading_string, rejoin
from .embedder import UNREADABLE
from .errors import IndexMismatch, IndexMissing
from .settings import IndexSettings

FORMAT_VERSION = 2  # 2: chunks say whether their vector is a placeholder (metadata `dense`)
PAGE_SIZE = 2000


@dataclass
class StoredDoc:
    """What the index holds of one file."""

    doc_id: str
    root: str
    source: str
    title: str
    sha256: str
    n_chunks: int
    visibility: str
    file_type: str
    found: int = 0
    hashes: set[str] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        return self.found == self.n_chunks and len(self.hashes) == 1


@dataclass(frozen=True)
class Record:
    """A stored chunk as read back: id, passage text and metadata."""

    id: str
    text: str
    meta: dict


def doc_id_for(root: str, source: str) -> str:
    """Stable identity of a file: its folder and its path inside it."""
    return hashlib.sha1(f"{root}\x00{source}".encode()).hexdigest()[:16]


def _client(settings: IndexSettings, create: bool):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = Path(settings.store) / "chroma"
    if not create and not path.exists():
        raise IndexMissing(f"no index in {settings.store}: run `county-rag ingest FOLDER` first")
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def location(settings: IndexSettings) -> str:
    """Where the index lives, for messages."""
    if settings.chroma_host:
        return f"chroma://{settings.chroma_host}:{settings.chroma_port}/{settings.collection}"
    return str(settings.store)


class IndexStore:
    """The chunk collection: created on first write, checked against the model on every open."""

    def __init__(self, settings: IndexSettings, *, create: bool):
        self.settings = settings
        self.client = _client(settings, create)
        self.collection = None
        names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        if settings.collection in names:
            self.collection = self.client.get_collection(settings.collection, embedding_function=None)
        elif not create:
            raise IndexMissing(f"no index in {location(settings)}: run `county-rag ingest FOLDER` first")

    @property
    def meta(self) -> dict:
        return dict(self.collection.metadata or {}) if self.collection else {}

    def expected_meta(self, model_id: str, dim: int, writing: bool = True) -> dict:
        """What the index records of how it was built; chunking matters only to writers."""
        meta = {"format_version": FORMAT_VERSION, "embed_model": model_id, "embed_dim": dim}
        if writing:
            meta.update({
                "chunker_version": CHUNKER_VERSION,
                "unreadable_not_embedded": UNREADABLE,
                "chunk_tokens": self.settings.chunk_tokens,
                "chunk_overlap_tokens": self.settings.chunk_overlap_tokens,
            })
        return meta

    def check_model(self, model_id: str, dim: int | None = None, writing: bool = True) -> None:
        """Refuse to mix models (or, when writing, chunking settings) in one index."""
        if self.collection is None:
            return
        have = self.meta
        want = self.expected_meta(model_id, dim if dim is not None else have.get("embed_dim", 0),
                                  writing)
        diff = [k for k, v in want.items() if have.get(k) != v]
        if diff:
            built = ", ".join(f"{k}={have.get(k)!r}" for k in diff)
            now = ", ".join(f"{k}={want[k]!r}" for k in diff)
            raise IndexMismatch(
                f"the index in {location(self.settings)} was built with {built}, but now {now}. "
                "Rebuild it with `county-rag ingest FOLDER --rebuild`, or set "
                "COUNTY_RAG_EMBED_MODEL (and the chunk settings) back to what the index was built with"
            )

    def ensure_collection(self, model_id: str, dim: int) -> None:
        if self.collection is None:
            metadata = {**self.expected_meta(model_id, dim), "content_rev": _rev(), "meta_rev": _rev()}
            self.collection = self.client.get_or_create_collection(
                self.settings.collection, metadata=metadata,
                configuration={"hnsw": {"space": "cosine"}}, embedding_function=None,
            )
        self.check_model(model_id, dim)

    def drop(self) -> None:
        """Delete the whole collection (an explicit rebuild)."""
        if self.collection is not None:
            self.client.delete_collection(self.settings.collection)
            self.collection = None

    def bump(self, which: str) -> None:
        """Mark derived data (BM25, visibility maps) stale: 'content_rev' or 'meta_rev'."""
        self.collection.modify(metadata={**self.meta, which: _rev()})

    def docs(self) -> dict[str, StoredDoc]:
        """Every file in the index, with how many of its chunks are present."""
        out: dict[str, StoredDoc] = {}
        if self.collection is None:
            return out
        for _, meta in self._pages(include=["metadatas"]):
            doc = out.get(meta["doc_id"])
            if doc is None:
                doc = out[meta["doc_id"]] = StoredDoc(
                    meta["doc_id"], meta["root"], meta["source"], meta["title"], meta["sha256"],
                    meta["n_chunks"], meta.get("visibility", "public"), meta.get("file_type", ""),
                )
            doc.found += 1
            doc.hashes.add(f"{meta['sha256']}/{meta['n_chunks']}")
        return out

    def _pages(self, include: list[str], where: dict | None = None) -> Iterator[tuple[str, dict]]:
        offset = 0
        while True:
            got = self.collection.get(include=include, where=where, limit=PAGE_SIZE, offset=offset)
            for i, chunk_id in enumerate(got["ids"]):
                yield chunk_id, (got["metadatas"][i] if got.get("metadatas") else {})
            if len(got["ids"]) < PAGE_SIZE:
                return
            offset += PAGE_SIZE

    def write(
        self, doc: Document, doc_id: str, root: str, chunks: list[Chunk], fresh: list[Chunk],
        vectors: list, visibility: str,
    ) -> None:
        """Store the `fresh` chunks of a file (those not stored yet), then drop what is left of
        its older version. Ids are stable for the same content, so a repeat after a crash converges.
        """
        metadatas = [self._chunk_meta(doc, doc_id, root, c, len(chunks), visibility) for c in fresh]
        step = self.client.get_max_batch_size()
        for i in range(0, len(fresh), step):
            self.collection.upsert(
                ids=[c.id for c in fresh[i:i + step]],
                embeddings=vectors[i:i + step],
                documents=[c.text for c in fresh[i:i + step]],
                metadatas=metadatas[i:i + step],
            )
        self.collection.delete(where={"$and": [
            {"doc_id": doc_id},
            {"$or": [{"sha256": {"$ne": doc.sha256}}, {"n_chunks": {"$ne": len(chunks)}}]},
        ]})

    @staticmethod
    def _chunk_meta(doc: Document, doc_id: str, root: str, chunk: Chunk, n: int, visibility: str) -> dict:
        meta = {
            "doc_id": doc_id, "root": root, "source": doc.source, "title": chunk.title,
            "heading": heading_string(chunk.heading_path), "seq": chunk.seq, "n_chunks": n,
            "sha256": doc.sha256, "file_type": doc.file_type, "visibility": visibility,
            "char_start": chunk.char_start, "char_end": chunk.char_end,
            "kind": chunk.kind, "table": chunk.table, "ocr": chunk.ocr, "dense": chunk.dense,
        }
        if chunk.page is not None:
            meta["page"] = chunk.page
            meta["page_end"] = chunk.page_end
        return meta

    def visibilities(self) -> dict[str, str]:
        """Visibility of every chunk, by id."""
        return {i: m.get("visibility", "public") for i, m in self._pages(include=["metadatas"])}

    def document_text(self, doc_id: str) -> tuple[str, list[Record]]:
        """A document's text rebuilt from its chunks, and the chunks in order."""
        chunks = sorted(self.records(where={"doc_id": doc_id}), key=lambda r: r.meta.get("seq", 0))
        return rejoin([(r.meta["char_start"], r.meta["char_end"], r.text) for r in chunks]), chunks

    def existing_ids(self, ids: list[str]) -> set[str]:
        if not ids or self.collection is None:
            return set()
        return set(self.collection.get(ids=ids, include=[])["ids"])

    def delete_doc(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def set_visibility(self, doc_id: str, visibility: str) -> int:
        """Change a file's visibility in place (no re-embedding); returns the chunks changed."""
        ids, metas = [], []
        for chunk_id, meta in self._pages(include=["metadatas"], where={"doc_id": doc_id}):
            ids.append(chunk_id)
            metas.append({**meta, "visibility": visibility})
        step = self.client.get_max_batch_size()
        for i in range(0, len(ids), step):
            self.collection.update(ids=ids[i:i + step], metadatas=metas[i:i + step])
        self.bump("meta_rev")
        return len(ids)

    def records(self, ids: list[str] | None = None, where: dict | None = None) -> list[Record]:
        """Chunks with text and metadata: the given ids (in that order), or all matching `where`."""
        if ids is not None:
            if not ids:
                return []
            by_id = {r.id: r for r in _records(self.collection.get(ids=ids, include=["documents", "metadatas"]))}
            return [by_id[i] for i in ids if i in by_id]
        out: list[Record] = []
        offset = 0
        while True:
            got = self.collection.get(include=["documents", "metadatas"], where=where,
                                      limit=PAGE_SIZE, offset=offset)
            out.extend(_records(got))
            if len(got["ids"]) < PAGE_SIZE:
                return out
            offset += PAGE_SIZE


def _records(got: dict) -> list[Record]:
    return [Record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]


def _rev() -> str:
    return uuid.uuid4().hex[:12]
