"""Issue 10, item 4: a kill -9 at any moment of an update leaves readers exactly one version of
each file, and the next start or ingest repairs the index to one version.

The update runs in a real process (tests/crash_driver.py) that stops after each write to Chroma;
the test kills it there with SIGKILL, then reads the index as the app does and repairs it.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.answering.assistant import Assistant
from app.language.query import analyse
from app.settings import Settings
from app.staff import workspace
from ingest.store import IndexStore, doc_id_for
from ingest.sync import sync

from .test_sync import snapshot
from .ui_server import free_port

pytestmark = pytest.mark.slow

CHUNK_TOKENS = 64  # small chunks: a file of a few paragraphs makes several, written one by one
ENV = {"COUNTY_RAG_EMBED_MODEL": "bundled", "COUNTY_RAG_CHUNK_TOKENS": str(CHUNK_TOKENS),
       "COUNTY_RAG_CHUNK_OVERLAP_TOKENS": "0"}
QUESTION = "What does the Qinghe County industrial park charge for land per mu?"


def park_text(price: int) -> str:
    """An English document (the bundled model reads it, so dense retrieval takes part)."""
    facts = [
        f"The Qinghe County industrial park charges {price} thousand yuan per mu for industrial land.",
        "Roads, water and power lines in the park are complete, and the park runs a one-stop service.",
        f"Land in the park is leased for {price // 10} years, with rent waived for the first year.",
        "Investors in aluminium processing may apply for a subsidy for new production lines.",
        "The logistics centre of the park offers storage, transport and information services.",
        f"Approval takes {price // 20} working days, half the statutory time, for key projects.",
    ]
    return "Qinghe County industrial park\n\n" + "\n\n".join(f * 2 for f in facts) + "\n"


def settings_for(store: Path, **extra) -> Settings:
    return Settings(_env_file=None, store=store, embed_model="bundled", chunk_tokens=CHUNK_TOKENS,
                    chunk_overlap_tokens=0, **extra)


def run_driver(args: list[str], kill_at: int | None = None) -> int:
    """Run tests.crash_driver with `args`; SIGKILL it after write number `kill_at` (None: let it
    finish). Returns the number of writes seen."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.crash_driver", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **ENV})
    writes = 0
    for line in proc.stderr:
        if not line.startswith("write "):
            continue
        writes += 1
        if writes == kill_at:
            proc.send_signal(signal.SIGKILL)
            break
        proc.stdin.write("\n")
        proc.stdin.flush()
    proc.wait(timeout=600)
    assert proc.returncode == (-signal.SIGKILL if kill_at else 0)
    return writes


def metadatas(store: IndexStore, where: dict | None = None) -> list[dict]:
    return store.collection.get(where=where, include=["metadatas"])["metadatas"]


def versions_returned(settings: Settings) -> dict[str, set[str]]:
    """Per document, the versions (content hashes) retrieval returns, keyword and dense sides."""
    retriever = Assistant.open(settings).retriever
    query = analyse(QUESTION, retriever.lexical)
    found = retriever.search(query, "staff", 40)
    assert found.dense_weight > 0  # the dense side takes part
    out: dict[str, set[str]] = {}
    for passage in found.passages:
        out.setdefault(passage.meta["source"], set()).add(passage.meta["sha256"])
    return out


@pytest.fixture(scope="module")
def update(tmp_path_factory) -> dict:
    """A folder indexed once, the same folder with park.txt changed, and the index a clean run
    makes of the changed folder."""
    root = tmp_path_factory.mktemp("crash")
    docs, base, clean = root / "docs", root / "base", root / "clean"
    docs.mkdir()
    (docs / "park.txt").write_text(park_text(120), encoding="utf-8")
    (docs / "other.txt").write_text("Qinghe County grows red dates on 120 thousand mu of land.\n",
                                    encoding="utf-8")
    sync(settings_for(base), [docs])
    old = IndexStore(settings_for(base), create=False).docs()[doc_id_for(str(docs), "park.txt")]
    (docs / "park.txt").write_text(park_text(150), encoding="utf-8")
    sync(settings_for(clean), [docs])
    new = IndexStore(settings_for(clean), create=False).docs()[doc_id_for(str(docs), "park.txt")]
    assert old.n_chunks >= 3 and new.n_chunks >= 3
    copy = root / "count"
    shutil.copytree(base, copy)
    writes = run_driver(["ingest", str(docs), "--store", str(copy)])
    assert writes == new.n_chunks + 3  # one per chunk, a bump, the delete of the old version, a bump
    return {"root": root, "docs": docs, "base": base, "clean": clean, "old": old, "new": new,
            "writes": writes}


def killed_copy(update: dict, kill_at: int, name: str = "killed") -> Settings:
    store = update["root"] / f"{name}-{kill_at}"
    shutil.copytree(update["base"], store)
    run_driver(["ingest", str(update["docs"]), "--store", str(store)], kill_at)
    return settings_for(store)


def test_a_kill_at_every_moment_of_an_update_leaves_one_version_then_the_next_ingest_repairs(update):
    old, new, writes = update["old"], update["new"], update["writes"]
    expected = snapshot(settings_for(update["clean"]))
    n = new.n_chunks
    # upserts before the new version is complete, the one that completes it, the revision bump
    # after it, and the delete of the old version (the bump after it ends the run)
    moments = [1, n - 1, n, n + 1, n + 2]
    assert n + 3 == writes
    for kill_at in moments:
        settings = killed_copy(update, kill_at)
        stored = IndexStore(settings, create=False)
        both = {m["sha256"] for m in metadatas(stored, {"doc_id": new.doc_id})}
        if kill_at <= n + 1:
            assert both == {old.sha256, new.sha256}, kill_at  # the crash left two versions stored…
        live = stored.docs()[new.doc_id]
        assert live.complete and live.sha256 == (new.sha256 if kill_at >= n else old.sha256)
        seen = versions_returned(settings)
        assert seen.get("park.txt") == {live.sha256}, (kill_at, seen)  # …readers see one
        text, chunks = stored.document_text(new.doc_id)
        assert len(chunks) == live.n_chunks and {c.meta["sha256"] for c in chunks} == {live.sha256}

        stale = len(stored.catalog().stale)  # the new version's chunks while incomplete, then the old's
        assert stale == (kill_at if kill_at < n else old.n_chunks if kill_at <= n + 1 else 0), kill_at
        assert sync(settings, [update["docs"]]).repaired == stale  # the next ingest repairs…
        assert snapshot(settings) == expected, kill_at  # …to exactly what a clean run makes


def test_the_next_start_repairs_the_index(update):
    """kill -9 right after the new version is complete, before the old one is deleted: both are
    complete in Chroma. `county-rag serve` deletes the old one before it serves."""
    new = update["new"]
    settings = killed_copy(update, new.n_chunks, "serve")
    assert len(IndexStore(settings, create=False).catalog().stale) == update["old"].n_chunks
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--store", str(settings.store),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, **ENV})
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("county-rag serve did not start")
    finally:
        server.terminate()
        notes = server.communicate(timeout=60)[1]
    assert "recovered the index" in notes
    found = IndexStore(settings, create=False).catalog()
    assert not found.stale and found.docs[new.doc_id].sha256 == new.sha256
    assert snapshot(settings) == snapshot(settings_for(update["clean"]))


def test_a_visibility_change_cut_off_half_way_counts_as_internal(update):
    store = update["root"] / "relabel"
    shutil.copytree(update["clean"], store)
    settings = settings_for(store)
    other = next(d for d in IndexStore(settings, create=False).docs().values() if d.source == "other.txt")
    # other.txt is relabelled first (a write per chunk, then the revision bump), then park.txt's
    # first chunk: killed there
    run_driver(["ingest", str(update["docs"]), "--store", str(store), "--visibility", "internal"],
               kill_at=other.n_chunks + 2)
    stored = IndexStore(settings, create=False)
    stamps = {m["visibility"] for m in metadatas(stored)}
    assert stamps == {"public", "internal"}  # one chunk relabelled, the rest not
    [mixed] = stored.catalog().mixed
    assert mixed == update["new"].doc_id and stored.docs()[mixed].visibility == "internal"
    investor = Assistant.open(settings).retriever
    query = analyse(QUESTION, investor.lexical)
    assert all(p.meta["doc_id"] != mixed for p in investor.search(query, "investor", 40).passages)

    workspace.recover(settings)
    assert {m["visibility"] for m in metadatas(stored, {"doc_id": mixed})} == {"internal"}


def test_an_upload_cut_off_is_indexed_at_the_next_start_with_its_visibility(tmp_path: Path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "a_park.txt").write_text(park_text(120), encoding="utf-8")
    (incoming / "b_park.txt").write_text(park_text(180), encoding="utf-8")
    store, uploads = tmp_path / "store", tmp_path / "uploads"
    settings = settings_for(store, uploads_dir=uploads)
    second = doc_id_for(os.path.abspath(uploads), "b_park.txt")
    proc_args = ["upload", str(store), str(uploads), "internal", *map(str, sorted(incoming.iterdir()))]
    full = run_driver(proc_args[:], None)  # how many writes a whole upload takes, in a spare store
    shutil.rmtree(store)
    shutil.rmtree(uploads)
    (uploads.with_name("uploads.status.json")).unlink()
    run_driver(proc_args, kill_at=full // 2 + 1)  # within the second file's chunks

    waiting = {e.name: (e.state, e.visibility) for e in workspace.pending(settings)}
    assert waiting["b_park.txt"] == ("waiting", "internal")
    reports = workspace.recover(settings)
    assert [w.visibility for r in reports for w in r.written] and all(
        w.visibility == "internal" for r in reports for w in r.written)
    assert workspace.pending(settings) == []
    docs = {d.source: d for d in workspace.documents(settings)}
    assert {d.visibility for d in docs.values()} == {"internal"} and docs["b_park.txt"].complete
    assert docs["b_park.txt"].doc_id == second
