"""Changes to indexed documents other than syncing: delete one, change its visibility.

They take the same lock as an ingest, so they never interleave with one.
"""

from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import CountyRagError
from .lexical import open_lexical
from .settings import IndexSettings
from .store import IndexStore, StoredDoc, location

VISIBILITIES = ("public", "internal")


@contextmanager
def writing(settings: IndexSettings, wait: float = 0):
    """Hold the index's write lock (the one `county-rag ingest` takes)."""
    Path(settings.store).mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(Path(settings.store) / ".lock"), timeout=wait):
            yield
    except Timeout as exc:
        raise CountyRagError(f"another ingest is writing to {location(settings)}; try again when it ends") from exc


def list_documents(settings: IndexSettings) -> list[StoredDoc]:
    """The files in the index, by folder and path."""
    return sorted(IndexStore(settings, create=False).docs().values(), key=lambda d: (d.root, d.source))


def delete_document(settings: IndexSettings, doc_id: str) -> None:
    with writing(settings, wait=30):
        store = IndexStore(settings, create=False)
        store.bump("content_rev")
        store.delete_doc(doc_id)
        store.bump("content_rev")
        open_lexical(store)


def set_visibility(settings: IndexSettings, doc_id: str, visibility: str) -> int:
    """Make a document public or internal; returns the number of chunks changed."""
    if visibility not in VISIBILITIES:
        raise CountyRagError(f"visibility must be public or internal, not {visibility!r}")
    with writing(settings, wait=30):
        return IndexStore(settings, create=False).set_visibility(doc_id, visibility)
