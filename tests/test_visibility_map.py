"""The retriever's own map of who may see each chunk: the dense side filters with it (Chroma's
filtered query is slow on large indexes), and it is cached next to the BM25 cache so that
opening a large index does not read every chunk's metadata again."""

from pathlib import Path

import pytest

from app.language.query import analyse
from app.retrieval.retriever import Retriever
from app.settings import Settings
from ingest.embedder import Embedder
from ingest.store import IndexStore
from ingest.sync import sync

TOPICS = {
    "aluminium": "The aluminium smelter in the industrial park produces ingots and alloy wheels.",
    "railway": "A rail freight line links the logistics hub to the coal port in three hours.",
    "solar": "Solar farms on the loess hills feed the grid through a new substation.",
    "tourism": "Visitors come to the red tourism museum and the old town in autumn.",
    "millet": "Farmers grow millet and chickpeas on terraced fields for the food factory.",
    "hydrogen": "A green hydrogen plant will supply fuel cell trucks on the mining roads.",
}
SECRET = "bidder"  # the internal document's topic
SECRET_TEXT = ("The preferred bidder for the magnesium refinery offered eight hundred million "
               "yuan in confidential talks with the county.")


@pytest.fixture
def index(tmp_path: Path) -> Settings:
    public, internal = tmp_path / "public", tmp_path / "internal"
    public.mkdir()
    internal.mkdir()
    for name, sentence in TOPICS.items():
        (public / f"{name}.txt").write_text(f"Qinghe County {name}\n\n" + (sentence + " ") * 20, encoding="utf-8")
    (internal / f"{SECRET}.txt").write_text(f"Magnesium refinery talks\n\n{SECRET_TEXT}\n", encoding="utf-8")
    settings = Settings(_env_file=None, store=tmp_path / "store", embed_model="bundled")
    sync(settings, [public], visibility="public")
    sync(settings, [internal], visibility="internal")
    return settings


class QueryLog:
    """The store's collection, recording the keyword arguments of every query."""

    def __init__(self, collection):
        self.collection, self.calls = collection, []

    def __getattr__(self, name):
        return getattr(self.collection, name)

    def query(self, **options):
        self.calls.append(options)
        return self.collection.query(**options)


def sources(retriever: Retriever, ids: list[str]) -> list[str]:
    return [r.meta["source"] for r in retriever.store.records(ids)]


def test_the_dense_side_filters_by_role_itself(index: Settings, bundled_embedder: Embedder):
    retriever = Retriever(index, IndexStore(index, create=False), bundled_embedder)
    log = retriever.store.collection = QueryLog(retriever.store.collection)
    question = analyse("who offered money for the magnesium refinery in confidential talks")
    investor = sources(retriever, retriever._dense(question, "investor"))
    staff = sources(retriever, retriever._dense(question, "staff"))
    assert investor and f"{SECRET}.txt" not in investor
    assert staff[0] == f"{SECRET}.txt"
    assert all("where" not in call for call in log.calls)  # most chunks are searchable: unfiltered


def test_the_map_is_cached_and_follows_visibility_changes(index: Settings, bundled_embedder: Embedder,
                                                          monkeypatch):
    Retriever(index, IndexStore(index, create=False), bundled_embedder)  # builds the caches

    def no_pass(_store):
        raise AssertionError("the metadata was read again")

    with monkeypatch.context() as patch:
        patch.setattr(IndexStore, "catalog", no_pass)
        retriever = Retriever(index, IndexStore(index, create=False), bundled_embedder)
    question = analyse("rail freight line to the coal port")
    assert sources(retriever, retriever._dense(question, "investor"))[0] == "railway.txt"

    store = IndexStore(index, create=False)
    railway = next(d for d in store.docs().values() if d.source == "railway.txt")
    store.set_visibility(railway.doc_id, "internal")  # a new revision: the map is read again
    retriever.refresh()
    assert "railway.txt" not in sources(retriever, retriever._dense(question, "investor"))
    hits = retriever.search(question, "investor", 5).passages
    assert hits and all(p.meta["source"] != "railway.txt" for p in hits)
