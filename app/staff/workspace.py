"""Staff document operations behind the workspace: upload, list, delete, change visibility.

Uploads are kept in a folder of their own (default: <store>/uploads) and indexed with the same
sync as `county-rag ingest`, so an interrupted upload is finished by the next one.
"""

import shutil
from pathlib import Path

from app.settings import Settings
from ingest.manage import delete_document, list_documents, set_visibility
from ingest.store import StoredDoc
from ingest.sync import SyncEvents, SyncReport, sync

__all__ = ["delete", "documents", "set_visibility", "upload", "uploads_dir"]


def uploads_dir(settings: Settings) -> Path:
    return Path(settings.uploads_dir or Path(settings.store) / "uploads")


def upload(settings: Settings, files: list[Path], visibility: str,
           events: SyncEvents | None = None) -> SyncReport:
    """Copy files into the uploads folder under their own names, then index them."""
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    placed = []
    for source in files:
        target = folder / Path(source).name
        tmp = target.with_name(f".{target.name}.part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        placed.append(target)
    return sync(settings, placed, events, visibility=visibility)


def documents(settings: Settings) -> list[StoredDoc]:
    return list_documents(settings)


def delete(settings: Settings, doc: StoredDoc) -> None:
    """Remove a document from the index, and its file when it was uploaded here."""
    delete_document(settings, doc.doc_id)
    folder = uploads_dir(settings).resolve()
    path = Path(doc.root) / doc.source
    if path.resolve().parent == folder:
        path.unlink(missing_ok=True)
