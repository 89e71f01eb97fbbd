"""Who may see each chunk of the keyword index, and whether its vector is real: read from the
chunks' metadata (a pass over the whole collection, minutes at 200,000 chunks), so it is cached
next to the BM25 cache and read again only when the collection's revisions change.

The visibility is what the live-version rule says of each chunk (`ingest.store.catalog`): a
chunk of a stale or incomplete version, or one the keyword index holds but the collection no
longer does, is HIDDEN, which no role may see.
"""

import json
from pathlib import Path

import numpy as np

from .lexical import cache_dir, write_cache
from .store import IndexStore

HIDDEN = "hidden"  # the visibility of a chunk the store's rule does not name
_STATE = "state.json"
_ARRAYS = "visibility.npz"


def _state(store: IndexStore, ids: list[str], count: int) -> dict:
    meta = store.meta
    return {"collection": str(store.collection.id), "content_rev": meta.get("content_rev"),
            "meta_rev": meta.get("meta_rev"), "count": count, "rows": len(ids)}


def _folder(store: IndexStore) -> Path:
    lexical = cache_dir(store.settings)
    return lexical.with_name(lexical.name + "-visibility")


def open_visibility(store: IndexStore, ids: list[str], count: int) -> tuple[np.ndarray, np.ndarray]:
    """(visibility, dense) of the chunks `ids` (the keyword index's rows, in order), `count` the
    collection's size as just read: the cached arrays when they match the collection, else read
    from it (and cached)."""
    folder, state = _folder(store), _state(store, ids, count)
    try:
        if json.loads((folder / _STATE).read_text()) == state:
            with np.load(folder / _ARRAYS, allow_pickle=False) as saved:
                return saved["visibility"].astype(object), saved["dense"]
    except (OSError, ValueError, KeyError):
        pass
    by_id = store.catalog().live
    placeholders = set(store.collection.get(where={"dense": False}, include=[])["ids"])
    visibility = np.array([by_id.get(i, HIDDEN) for i in ids], dtype=object)
    dense = np.array([i not in placeholders for i in ids], dtype=bool)
    _save(folder, visibility, dense, state)
    return visibility, dense


def _save(folder: Path, visibility: np.ndarray, dense: np.ndarray, state: dict) -> None:
    def fill(tmp: Path) -> None:
        np.savez(tmp / _ARRAYS, visibility=visibility.astype(str), dense=dense)
        (tmp / _STATE).write_text(json.dumps(state))

    write_cache(folder, fill)
