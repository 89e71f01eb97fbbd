"""Make the index match a folder: index new and changed files, skip unchanged ones, drop deleted.

Each file is committed on its own, as a new version of it (see `store`): a run killed at any
point leaves one version of every file searchable, and the next run (or `repair`) deletes the
leftovers and redoes what was cut off. Files are parsed in a worker process (`parsing`) under a
time limit, and any error of one file becomes that file's one-line reason.

Visibility: a visibility chosen for the run applies to every file of it, new, changed or
unchanged (unchanged ones are relabelled in place, without re-embedding); without a choice,
files already indexed keep theirs and new ones get `default_visibility`.
"""

import errno
import hashlib
import logging
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from .chunking import chunk_document
from .documents import Chunk, Document
from .embedder import Embedder, load_embedder, resolve_model
from .errors import FileRejected, IndexMissing, unexpected
from .lexical import cache_dir, open_lexical
from .loaders import check_unpacked, read_file
from .manage import writing
from .parsing import FileParser
from .settings import IndexSettings
from .store import IndexStore, StoredDoc, doc_id_for

log = logging.getLogger(__name__)

_SKIPPED_PREFIXES = (".", "~$")
GROUP_CHUNKS = 256  # chunks embedded per call: long enough runs to sort by length


@dataclass(frozen=True)
class FileTask:
    path: Path
    root: str
    source: str
    doc_id: str


class Written(NamedTuple):
    """A file this run wrote: "added", "updated" or "relabelled" (unchanged content, visibility
    changed in place), and the visibility it now has."""

    source: str
    status: str
    visibility: str


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # relabelled ones included
    relabelled: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, FileRejected]] = field(default_factory=list)  # (path, reason)
    written: list[Written] = field(default_factory=list)
    repaired: int = 0  # chunks of interrupted or superseded versions deleted first
    chunks: int = 0
    tokens: int = 0
    not_embedded: int = 0  # chunks the model cannot read: keyword-indexed, placeholder vector
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def summary(self) -> str:
        tail = f"; {self.chunks} chunks, {self.tokens} tokens embedded" if self.chunks else ""
        if self.not_embedded:
            tail += f" ({self.not_embedded} chunks the model cannot read left to the keyword index)"
        relabelled = f" (visibility changed {len(self.relabelled)})" if self.relabelled else ""
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}"
            f"{relabelled}, removed {len(self.removed)}, failed {len(self.failed)}{tail} "
            f"({self.seconds:.1f} s)"
        )


class SyncEvents:
    """Hooks for progress display; the defaults do nothing."""

    def notice(self, message: str) -> None: ...

    def start(self, total: int) -> None: ...

    def file_done(self, source: str, status: str, detail: str = "") -> None:
        """A file was indexed ("added", "updated") or not ("failed"); `detail` says what was
        read (pages, tables, OCR'd pages)."""

    def file_progress(self, source: str, message: str) -> None:
        """A loader's progress within a file: "page 3/12" read, "OCR page 2/4" recognised."""


@dataclass
class _Pending:
    task: FileTask
    old: StoredDoc | None  # the live version this file replaces
    visibility: str

    @property
    def status(self) -> str:
        return "updated" if self.old else "added"


def discover(paths: list[Path], skip: Path | None = None
             ) -> tuple[list[FileTask], list[tuple[str, FileRejected]], set[str]]:
    """Files under the given paths, failures met while walking, and the folders to sync."""
    tasks: list[FileTask] = []
    failures: list[tuple[str, FileRejected]] = []
    roots: set[str] = set()
    for given in paths:
        path = Path(os.path.abspath(given))
        if path.is_dir():
            root = str(path)
            roots.add(root)
            for file_path, reason in _walk(path, skip):
                if reason:
                    failures.append((str(file_path), FileRejected(reason)))
                else:
                    source = file_path.relative_to(path).as_posix()
                    tasks.append(FileTask(file_path, root, source, doc_id_for(root, source)))
        elif path.exists() or path.is_symlink():
            root = str(path.parent)
            tasks.append(FileTask(path, root, path.name, doc_id_for(root, path.name)))
        else:
            failures.append((str(given), FileRejected("no such file or folder")))
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
    """Bring the index in line with `paths` (folders are synced; single files are added).
    `visibility`: the run's explicit choice, or None (see the module's docstring)."""
    events = events or SyncEvents()
    started = time.perf_counter()
    with writing(settings):
        report = _sync_locked(settings, paths, events, rebuild, visibility)
    report.seconds = time.perf_counter() - started
    return report


def repair(settings: IndexSettings, wait: float = 0) -> tuple[int, int]:
    """Finish or roll back interrupted work, as every sync does first: delete incomplete and
    superseded versions, make half-relabelled documents internal. Returns (chunks deleted,
    documents made internal); (0, 0) when there is no index yet. CountyRagError when another
    ingest holds the index (it repairs it itself)."""
    with writing(settings, wait=wait):
        try:
            store = IndexStore(settings, create=False)
        except IndexMissing:
            return 0, 0
        if store.collection is None:
            return 0, 0
        found = store.repair()
        open_lexical(store)
        return len(found.stale), len(found.mixed)


def _sync_locked(settings, paths, events, rebuild, visibility) -> SyncReport:
    report = SyncReport()
    store = IndexStore(settings, create=True)
    if rebuild:
        store.drop()
        shutil.rmtree(cache_dir(settings), ignore_errors=True)
    stored: dict[str, StoredDoc] = {}
    if store.collection is not None:
        store.check_model(resolve_model(settings).model_id)
        found = store.repair()
        report.repaired = len(found.stale)
        stored = {doc_id: doc for doc_id, doc in found.docs.items() if doc.complete}
    tasks, report.failed, roots = discover(paths, skip=Path(settings.store))
    pending: list[_Pending] = []
    for task in tasks:
        old = stored.get(task.doc_id)
        try:
            sha = _sha256(task.path)
        except OSError:
            sha = None  # read_file names the reason when the file is processed
        if old and sha == old.sha256:
            report.unchanged.append(task.source)
            if visibility and old.visibility != visibility:
                store.set_visibility(old.doc_id, visibility)
                report.relabelled.append(task.source)
                report.written.append(Written(task.source, "relabelled", visibility))
        else:
            pending.append(_Pending(task, old, visibility or (old.visibility if old else settings.default_visibility)))
    present = {t.doc_id for t in tasks}
    gone = [d for d in stored.values() if d.root in roots and d.doc_id not in present]
    for doc in gone:
        store.delete_doc(doc.doc_id)
        report.removed.append(doc.source)
    if gone:
        store.bump("content_rev")
    if pending:
        _index(settings, store, pending, report, events)
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
    with FileParser(settings.parse_timeout) as parser:
        for item in pending:
            try:
                doc, chunks = _prepare(settings, parser, embedder, item.task, events)
            except FileRejected as exc:
                report.failed.append((str(item.task.path), exc))
                events.file_done(item.task.source, "failed")
                continue
            group.append((item, doc, chunks))
            group_size += len(chunks)
            if group_size >= GROUP_CHUNKS:
                _commit(settings, store, embedder, group, report, events)
                group, group_size = [], 0
    _commit(settings, store, embedder, group, report, events)


def _prepare(settings: IndexSettings, parser: FileParser, embedder: Embedder, task: FileTask,
             events: SyncEvents) -> tuple[Document, list[Chunk]]:
    """Read, check, parse (in the worker) and chunk one file; FileRejected says why not."""
    data = read_file(task.path, int(settings.max_file_mb * 2**20))
    check_unpacked(data, int(settings.unpacked_limit_mb * 2**20), settings.max_unpacked_ratio)
    doc = parser.parse(data, task.source, lambda message: events.file_progress(task.source, message),
                       ocr=settings.ocr)
    try:
        return doc, chunk_document(doc, task.doc_id, embedder, settings.chunk_tokens,
                                   settings.chunk_overlap_tokens)
    except Exception as exc:  # noqa: BLE001 - a bug met on one file fails that file only
        log.debug("chunking %s", task.path, exc_info=True)
        raise unexpected(exc, "cannot cut it into passages") from exc


def _commit(settings, store: IndexStore, embedder: Embedder,
            group: list[tuple[_Pending, Document, list[Chunk]]], report: SyncReport,
            events: SyncEvents) -> None:
    """Embed the chunks of a group of files in one batch, then write file by file."""
    if not group:
        return
    todo = [c if embedder.can_read(c.index_text) else replace(c, dense=False)
            for _, _, chunks in group for c in chunks]
    dense = [c for c in todo if c.dense]
    started = time.perf_counter()
    vectors = embedder.embed_documents([c.index_text for c in dense], settings.embed_batch_size) if dense else []
    report.embed_seconds += time.perf_counter() - started
    report.tokens += sum(c.tokens for c in dense)
    report.not_embedded += len(todo) - len(dense)
    by_id = {c.id: v for c, v in zip(dense, vectors)}
    by_id.update({c.id: embedder.placeholder(c.id) for c in todo if not c.dense})
    at = 0
    for item, doc, chunks in group:
        written = todo[at:at + len(chunks)]
        store.write(doc, item.task.doc_id, item.task.root, written, [by_id[c.id] for c in written],
                    item.visibility, item.old.version if item.old else 0)
        at += len(chunks)
        report.chunks += len(chunks)
        getattr(report, item.status).append(item.task.source)
        report.written.append(Written(item.task.source, item.status, item.visibility))
        events.file_done(item.task.source, item.status, doc.summary())
