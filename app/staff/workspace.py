"""Staff document operations behind the workspace: upload, list, delete, change visibility, and
recovery of interrupted work.

Uploads are kept in a folder of their own (default: <store>/uploads) and indexed with the same
sync as `county-rag ingest`. Before a file is placed there it is recorded as waiting, with the
visibility chosen for it (`upload_status`), so an upload cut off by a crash is finished by
`recover` (at the next start, the next ingest or the next upload) with the same choice.
"""

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from app.settings import Settings
from ingest.errors import CountyRagError
from ingest.manage import delete_document, list_documents, set_visibility
from ingest.store import RESTRICTED, StoredDoc
from ingest.sync import SyncEvents, SyncReport, repair, sync

from .upload_status import UploadState, UploadStatus

__all__ = ["delete", "documents", "pending", "recover", "set_visibility", "upload", "uploads_dir"]


def uploads_dir(settings: Settings) -> Path:
    return Path(settings.uploads_dir or Path(settings.store) / "uploads")


def upload(settings: Settings, files: list[Path], visibility: str | None,
           events: SyncEvents | None = None) -> SyncReport:
    """Copy files into the uploads folder under their own names, then index them with the chosen
    visibility (files still waiting from an interrupted upload are indexed first)."""
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    names = [Path(source).name for source in files]
    status = UploadStatus(folder)
    status.mark_waiting(names, visibility)
    placed = []
    for source, name in zip(files, names):
        target = folder / name
        tmp = target.with_name(f".{name}.part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        placed.append(target)
    _index_waiting(settings, events, skip=set(names))
    report = sync(settings, placed, events, visibility=visibility)
    status.record(report)
    return report


def recover(settings: Settings, notify: Callable[[str], None] = lambda _: None,
            events: SyncEvents | None = None) -> list[SyncReport]:
    """Finish what a crash cut off: repair the index (interrupted or superseded versions
    deleted), then index the uploads still waiting, each with the visibility chosen for it.
    Skipped, with a note, while another ingest holds the index (that one repairs it)."""
    try:
        deleted, relabelled = repair(settings)
    except CountyRagError as exc:
        notify(f"recovery skipped: {exc}")
        return []
    if deleted or relabelled:
        notify(f"recovered the index: {deleted} chunks of interrupted or superseded versions deleted, "
               f"{relabelled} half-relabelled documents made internal")
    reports = _index_waiting(settings, events)
    written = sum(len(r.written) for r in reports)
    if written:
        notify(f"indexed {written} uploaded files left waiting by an interrupted upload")
    return reports


def _index_waiting(settings: Settings, events: SyncEvents | None, skip: set[str] = frozenset()
                   ) -> list[SyncReport]:
    """Index the waiting uploads (but `skip`), one sync per chosen visibility."""
    folder = uploads_dir(settings)
    groups: dict[str | None, list[Path]] = {}
    for entry in pending(settings):
        if entry.state == "waiting" and entry.name not in skip:
            groups.setdefault(entry.visibility, []).append(folder / entry.name)
    status = UploadStatus(folder)
    reports = []
    for visibility, paths in groups.items():
        reports.append(sync(settings, paths, events, visibility=visibility))
        status.record(reports[-1])
    return reports


def pending(settings: Settings) -> list[UploadState]:
    """Uploads not in the index: waiting (in the folder, not indexed, not failed) or failed (with
    the reason), by name. A file in the folder with no record (the index was rebuilt, or it was
    copied there by hand) waits as internal: nothing becomes public without a choice."""
    folder = uploads_dir(settings)
    entries = UploadStatus(folder).entries()
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    except FileNotFoundError:
        names = []
    out = [e for e in entries.values() if e.state == "failed"]
    unrecorded = [name for name in names if name not in entries]
    out += [entries[name] for name in names if name in entries and entries[name].state == "waiting"]
    if unrecorded:
        root = os.path.abspath(folder)
        try:
            indexed = {d.source for d in documents(settings) if d.root == root and d.complete}
        except CountyRagError:
            indexed = set()
        out += [UploadState(name, "waiting", RESTRICTED) for name in unrecorded if name not in indexed]
    return sorted(out, key=lambda e: e.name)


def documents(settings: Settings) -> list[StoredDoc]:
    return list_documents(settings)


def delete(settings: Settings, doc: StoredDoc) -> None:
    """Remove a document from the index, and its file when it was uploaded here."""
    delete_document(settings, doc.doc_id)
    folder = uploads_dir(settings).resolve()
    path = Path(doc.root) / doc.source
    if path.resolve().parent == folder:
        path.unlink(missing_ok=True)
        UploadStatus(uploads_dir(settings)).forget(doc.source)
