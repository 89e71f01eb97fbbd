"""Make the index match a folder: index new and changed files, skip unchanged ones, drop deleted.

Each file is committed on its own (its chunks upserted under stable ids, then its older chunks
deleted), so a run killed at any point is finished, not duplicated, by the next one.
"""

import errno
import hashlib
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .chunking import chunk_document
from .documents import Chunk, Document
from .embedder import Embedder, load_embedder, resolve_model
from .errors import FileRejected
from .lexical import cache_dir, open_lexical
from .loaders import parse_document, read_file
from .manage import writing
from .settings import IndexSettings
from .store import IndexStore, doc_id_for

_SKIPPED_PREFIXES = (".", "~$")
GROUP_CHUNKS = 256  # chunks embedded per call: long enough runs to sort by length


@dataclass(frozen=True)
class FileTask:
    path: Path
    root: str
    source: str
    doc_id: str


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    chunks: int = 0
    tokens: int = 0
    not_embedded: int = 0  # chunks the model cannot read: keyword-indexed, placeholder vector
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def summary(self) -> str:
        tail = f"; {self.chunks} chunks, {self.tokens} tokens embedded" if self.chunks else ""
        if self.not_embedded:
            tail += f" ({self.not_embedded} chunks the model cannot read left to the keyword index)"
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"removed {len(self.removed)}, failed {len(self.failed)}{tail} ({self.seconds:.1f} s)"
        )


class SyncEvents:
    """Hooks for progress display; the defaults do nothing."""

    def notice(self, message: str) -> None: ...

    def start(self, total: int) -> None: ...

    def file_done(self, source: str, status: str, detail: str = "") -> None:
        """A file was indexed ("added", "updated") or not ("failed"); `detail` says what was
        read (pages, tables, OCR'd pages)."""

    def pages_read(self, source: str, done: int, total: int) -> None:
        """OCR progress inside a file: `done` of its `total` scanned pages read."""


@dataclass
class _Pending:
    task: FileTask
    status: str  # "added" | "updated"
    visibility: str


def discover(paths: list[Path], skip: Path | None = None) -> tuple[list[FileTask], list[tuple[str, str]], set[str]]:
    """Files under the given paths, failures met while walking, and the folders to sync."""
    tasks: list[FileTask] = []
    failures: list[tuple[str, str]] = []
    roots: set[str] = set()
    for given in paths:
        path = Path(os.path.abspath(given))
        if path.is_dir():
            root = str(path)
            roots.add(root)
            for file_path, reason in _walk(path, skip):
                if reason:
                    failures.append((str(file_path), reason))
                else:
                    source = file_path.relative_to(path).as_posix()
                    tasks.append(FileTask(file_path, root, source, doc_id_for(root, source)))
        elif path.exists() or path.is_symlink():
            root = str(path.parent)
            tasks.append(FileTask(path, root, path.name, doc_id_for(root, path.name)))
        else:
            failures.append((str(given), "no such file or folder"))
    return sorted(tasks, key=lambda t: (t.root, t.source)), failures, roots


def _walk(top: Path, skip: Path | None):
    """Yield (file, None) for files to index and (path, reason) for loops; never loops itself."""
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        here = Path(dirpath)
        stat = here.stat()
        if (stat.st_dev, stat.st_ino) in seen:
            yield here, "symlink loop"
            dirnames[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        kept = []
        for name in sorted(dirnames):
            sub = here / name
            if name.startswith(_SKIPPED_PREFIXES) or (skip and _same(sub, skip)):
                continue
            try:
                sub.stat()
                kept.append(name)
            except OSError as exc:
                yield sub, "symlink loop" if exc.errno == errno.ELOOP else f"unreadable: {exc.strerror}"
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.startswith(_SKIPPED_PREFIXES):
                yield here / name, None


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def sync(
    settings: IndexSettings,
    paths: list[Path],
    events: SyncEvents | None = None,
    *,
    rebuild: bool = False,
    visibility: str | None = None,
) -> SyncReport:
    """Bring the index in line with `paths` (folders are synced; single files are added)."""
    events = events or SyncEvents()
    started = time.perf_counter()
    with writing(settings):
        report = _sync_locked(settings, paths, events, rebuild, visibility)
    report.seconds = time.perf_counter() - started
    return report


def _sync_locked(settings, paths, events, rebuild, visibility) -> SyncReport:
    report = SyncReport()
    store = IndexStore(settings, create=True)
    if rebuild:
        store.drop()
        shutil.rmtree(cache_dir(settings), ignore_errors=True)
    tasks, report.failed, roots = discover(paths, skip=Path(settings.store))
    stored = store.docs()
    pending: list[_Pending] = []
    for task in tasks:
        old = stored.get(task.doc_id)
        try:
            sha = _sha256(task.path)
        except OSError:
            sha = None  # read_file names the reason when the file is processed
        if old and old.complete and sha == old.sha256:
            report.unchanged.append(task.source)
        else:
            status = "updated" if old else "added"
            pending.append(_Pending(task, status, old.visibility if old else visibility or settings.default_visibility))
    present = {t.doc_id for t in tasks}
    gone = [d for d in stored.values() if d.root in roots and d.doc_id not in present]
    if store.collection is not None:
        store.check_model(resolve_model(settings).model_id)
    if pending or gone:
        if store.collection is not None:
            store.bump("content_rev")
        for doc in gone:
            store.delete_doc(doc.doc_id)
            report.removed.append(doc.source)
        if pending:
            _index(settings, store, pending, report, events)
        if store.collection is not None:
            store.bump("content_rev")
    if store.collection is not None:
        open_lexical(store)  # rebuilds the keyword index when the collection changed
    return report


def _index(settings: IndexSettings, store: IndexStore, pending: list[_Pending], report: SyncReport,
           events: SyncEvents) -> None:
    embedder = load_embedder(settings, events.notice)
    store.ensure_collection(embedder.model_id, embedder.dim)
    events.start(len(pending))
    group: list[tuple[_Pending, Document, list[Chunk]]] = []
    group_size = 0
    max_bytes = int(settings.max_file_mb * 2**20)
    for item in pending:
        try:
            data = read_file(item.task.path, max_bytes)
            doc = parse_document(data, item.task.source, _page_progress(events, item.task.source),
                                 ocr=settings.ocr)
            chunks = chunk_document(doc, item.task.doc_id, embedder, settings.chunk_tokens,
                                    settings.chunk_overlap_tokens)
        except FileRejected as exc:
            report.failed.append((str(item.task.path), str(exc)))
            events.file_done(item.task.source, "failed")
            continue
        group.append((item, doc, chunks))
        group_size += len(chunks)
        if group_size >= GROUP_CHUNKS:
            _commit(settings, store, embedder, group, report, events)
            group, group_size = [], 0
    _commit(settings, store, embedder, group, report, events)


def _page_progress(events: SyncEvents, source: str):
    return lambda done, total: events.pages_read(source, done, total)


def _commit(settings, store: IndexStore, embedder: Embedder,
            group: list[tuple[_Pending, Document, list[Chunk]]], report: SyncReport,
            events: SyncEvents) -> None:
    """Embed the chunks a group of files still lacks in one batch, then write file by file."""
    if not group:
        return
    have = store.existing_ids([c.id for _, _, chunks in group for c in chunks])
    todo = [c for _, _, chunks in group for c in chunks if c.id not in have]
    readable = {c.id for c in todo if embedder.can_read(c.index_text)}
    todo = [c if c.id in readable else replace(c, dense=False) for c in todo]
    started = time.perf_counter()
    dense = [c for c in todo if c.dense]
    vectors = embedder.embed_documents([c.index_text for c in dense], settings.embed_batch_size) if dense else []
    report.embed_seconds += time.perf_counter() - started
    report.tokens += sum(c.tokens for c in dense)
    report.not_embedded += len(todo) - len(dense)
    by_id = {c.id: v for c, v in zip(dense, vectors)}
    by_id.update({c.id: embedder.placeholder(c.id) for c in todo if not c.dense})
    fresh_chunks = {c.id: c for c in todo}
    for item, doc, chunks in group:
        fresh = [fresh_chunks[c.id] for c in chunks if c.id in by_id]
        store.write(doc, item.task.doc_id, item.task.root, chunks, fresh, [by_id[c.id] for c in fresh],
                    item.visibility)
        report.chunks += len(fresh)
        getattr(report, item.status).append(item.task.source)
        events.file_done(item.task.source, item.status, doc.summary())
