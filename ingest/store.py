"""The Chroma side of the index: one collection of chunks, its model record, per-file state.

Chroma is the source of truth. Every chunk carries its file's identity, content hash, the number
of chunks the file was cut into and the version stamp of the write that stored it, so what is
searchable is read from Chroma itself (`catalog`): per file, the live version is the newest
complete one. A write killed at any point leaves either the old version live (the new one is
incomplete) or the new one (the old one is superseded); readers never see both, and `repair`
deletes the leftovers.
"""

import hashlib
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import CHUNKER_VERSION
from .documents import Chunk, Document, heading_string, rejoin
from .embedder import UNREADABLE
from .errors import IndexMismatch, IndexMissing
from .settings import IndexSettings

FORMAT_VERSION = 2  # 2: chunks say whether their vector is a placeholder (metadata `dense`)
PAGE_SIZE = 2000
RESTRICTED = "internal"  # the visibility of a document whose chunks disagree


@dataclass
class StoredDoc:
    """What the index holds of one file: its live version, or, when no version is complete,
    its newest (then `complete` is False and nothing of it is searchable)."""

    doc_id: str
    root: str
    source: str
    title: str
    sha256: str
    n_chunks: int
    visibility: str  # of the live version; internal when its chunks disagree
    file_type: str
    version: int = 0
    complete: bool = False


@dataclass(frozen=True)
class _VersionKey:
    stamp: int
    sha256: str
    n_chunks: int


@dataclass
class _Version:
    seqs: set[int] = field(default_factory=set)
    ids: list[str] = field(default_factory=list)
    visibilities: set[str] = field(default_factory=set)
    meta: dict = field(default_factory=dict)


@dataclass
class Catalog:
    """What readers may see, derived from chunk metadata alone."""

    docs: dict[str, StoredDoc]
    live: dict[str, str]  # live chunk id -> effective visibility
    stale: list[str]  # chunks of incomplete or superseded versions
    mixed: list[str]  # documents whose live chunks disagree on visibility


def catalog(chunks: Iterable[tuple[str, dict]]) -> Catalog:
    """The live-version rule, defined once. Per document, the live version is the newest
    complete one (by version stamp); chunks of any other version are stale. A live version whose
    chunks disagree on visibility (a change cut off half way) counts as internal."""
    versions: dict[str, dict[_VersionKey, _Version]] = {}
    for chunk_id, meta in chunks:
        key = _VersionKey(meta.get("version", 0), meta["sha256"], meta["n_chunks"])
        version = versions.setdefault(meta["doc_id"], {}).setdefault(key, _Version(meta=meta))
        version.seqs.add(meta["seq"])
        version.ids.append(chunk_id)
        version.visibilities.add(meta.get("visibility", "public"))
    out = Catalog({}, {}, [], [])
    for doc_id, found in versions.items():
        complete = [k for k, v in found.items() if v.seqs == set(range(k.n_chunks))]
        live = max(complete, key=lambda k: (k.stamp, k.sha256), default=None)
        shown = live or max(found, key=lambda k: (k.stamp, k.sha256))
        version = found[shown]
        visibility = next(iter(version.visibilities)) if len(version.visibilities) == 1 else RESTRICTED
        meta = version.meta
        out.docs[doc_id] = StoredDoc(
            doc_id, meta["root"], meta["source"], meta["title"], shown.sha256, shown.n_chunks,
            visibility, meta.get("file_type", ""), shown.stamp, live is not None,
        )
        for key, other in found.items():
            if key == live:
                out.live.update(dict.fromkeys(other.ids, visibility))
            else:
                out.stale.extend(other.ids)
        if live is not None and len(version.visibilities) > 1:
            out.mixed.append(doc_id)
    return out


def next_stamp(after: int) -> int:
    """A version stamp newer than `after`: the clock in nanoseconds, or one more if it lags."""
    return max(time.time_ns(), after + 1)


@dataclass(frozen=True)
class Record:
    """A stored chunk as read back: id, passage text and metadata."""

    id: str
    text: str
    meta: dict

    def pages(self, start: int, end: int) -> tuple[int | None, int | None]:
        """The first and last page of the stretch [start, end) of the text (the chunk's own
        pages when it was stored without where its pages begin)."""
        page = self.meta.get("page")
        starts = [(0, page)] + [(int(o), int(p)) for o, p in (item.split(":") for item in
                                                             self.meta.get("page_starts", "").split(",") if item)]
        if len(starts) == 1:
            return page, self.meta.get("page_end", page)
        return tuple(next(p for o, p in reversed(starts) if o <= offset) for offset in (start, max(start, end - 1)))


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

    def catalog(self) -> Catalog:
        """The live-version view of the whole collection (one scan of the metadata)."""
        if self.collection is None:
            return Catalog({}, {}, [], [])
        return catalog(self._pages(include=["metadatas"]))

    def docs(self) -> dict[str, StoredDoc]:
        """Every file in the index, as its live version shows it."""
        return self.catalog().docs

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
        self, doc: Document, doc_id: str, root: str, chunks: list[Chunk], vectors: list,
        visibility: str, after: int = 0,
    ) -> None:
        """Store a new version of a file, stamped newer than `after` (the live version's stamp),
        then delete every other version. Until its last chunk is stored the new version is
        incomplete and the old one stays live; once it is complete the old one is superseded.

        The revision is bumped once the new version is complete and again after the delete, so
        between two bumps the collection only grows or only shrinks: a reader that compares the
        revision and the chunk count (`lexical`, the retriever) sees every change."""
        stamp = next_stamp(after)
        metadatas = [self.chunk_meta(doc, doc_id, root, c, len(chunks), visibility, stamp)
                     for c in chunks]
        step = self.client.get_max_batch_size()
        for i in range(0, len(chunks), step):
            self.collection.upsert(
                ids=[c.id for c in chunks[i:i + step]],
                embeddings=vectors[i:i + step],
                documents=[c.text for c in chunks[i:i + step]],
                metadatas=metadatas[i:i + step],
            )
        self.bump("content_rev")
        keep = {c.id for c in chunks}
        old = [i for i in self.collection.get(where={"doc_id": doc_id}, include=[])["ids"] if i not in keep]
        self._delete_ids(old)
        self.bump("content_rev")

    def repair(self) -> Catalog:
        """Delete incomplete and superseded versions, and make documents whose live chunks
        disagree on visibility internal throughout (what readers already take them to be).
        Returns the catalog as found: its `stale` chunks are now deleted, its `mixed` documents
        internal, and its complete `docs` are what the index now holds."""
        found = self.catalog()
        self._delete_ids(found.stale)
        for doc_id in found.mixed:
            self.set_visibility(doc_id, RESTRICTED)
        if found.stale:
            self.bump("content_rev")
        return found

    def _delete_ids(self, ids: list[str]) -> None:
        step = self.client.get_max_batch_size()
        for i in range(0, len(ids), step):
            self.collection.delete(ids=ids[i:i + step])

    @staticmethod
    def chunk_meta(doc: Document, doc_id: str, root: str, chunk: Chunk, n: int, visibility: str,
                   stamp: int) -> dict:
        """The metadata a chunk is stored with (what `catalog`, the retriever and the source
        cards read); bulk writers outside this class (benchmarks/scale.py) use it too."""
        meta = {
            "doc_id": doc_id, "root": root, "source": doc.source, "title": chunk.title,
            "heading": heading_string(chunk.heading_path), "seq": chunk.seq, "n_chunks": n,
            "sha256": doc.sha256, "file_type": doc.file_type, "visibility": visibility,
            "char_start": chunk.char_start, "char_end": chunk.char_end, "version": stamp,
            "kind": chunk.kind, "table": chunk.table, "ocr": chunk.ocr, "dense": chunk.dense,
        }
        if chunk.page is not None:
            meta["page"] = chunk.page
            meta["page_end"] = chunk.page_end
        if chunk.page_starts:
            meta["page_starts"] = ",".join(f"{offset}:{page}" for offset, page in chunk.page_starts)
        return meta

    def live_records(self, where: dict | None = None) -> list[Record]:
        """The chunks of live versions among those matching `where` (all by default), their
        metadata's visibility being the document's effective one. `where` must select whole
        documents (e.g. by doc_id)."""
        records = self.records(where=where)
        live = catalog((r.id, r.meta) for r in records).live
        return [Record(r.id, r.text, {**r.meta, "visibility": live[r.id]}) for r in records if r.id in live]

    def document_text(self, doc_id: str) -> tuple[str, list[Record]]:
        """A document's text rebuilt from its live version's chunks, and those chunks in order
        (none when no version is complete)."""
        chunks = sorted(self.live_records(where={"doc_id": doc_id}), key=lambda r: r.meta["seq"])
        return rejoin([(r.meta["char_start"], r.meta["char_end"], r.text) for r in chunks]), chunks

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
