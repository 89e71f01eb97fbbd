"""The `county-rag ingest` command as users run it: crash safety, a Chroma server, fast fallback."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import chromadb
import pytest

from ingest.settings import BUNDLED_MODEL, IndexSettings

from .synthetic import write_docs
from .test_sync import snapshot
from .ui_server import free_port


def run_cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env={**os.environ, "COUNTY_RAG_EMBED_MODEL": "bundled", **(env or {})},
                          timeout=600, **kwargs)


def _kill_after(docs: Path, store: Path, status: str, files: int) -> None:
    """Start an ingest and SIGKILL it once `files` files have been committed with `status`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "ingest", str(docs), "--store", str(store), "-v"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        env={**os.environ, "COUNTY_RAG_EMBED_MODEL": "bundled"},
    )
    done = 0
    for line in proc.stderr:
        done += line.startswith(f"{status}: ")
        if done == files:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_kill_9_mid_ingest_then_rerun_equals_one_clean_run(tmp_path: Path):
    docs, store = tmp_path / "docs", tmp_path / "killed"
    write_docs(docs, 24, sentences=60)
    assert run_cli("ingest", str(docs), "--store", str(tmp_path / "clean")).returncode == 0
    _kill_after(docs, store, "added", 5)
    assert 0 < len(snapshot(IndexSettings(store=store, embed_model="bundled")))
    rerun = run_cli("ingest", str(docs), "--store", str(store))
    assert rerun.returncode == 0, rerun.stderr
    expected = snapshot(IndexSettings(store=tmp_path / "clean", embed_model="bundled"))
    assert snapshot(IndexSettings(store=store, embed_model="bundled")) == expected

    # Now every file changes and the run updating them is killed half-way.
    for path in sorted(docs.iterdir()):
        path.write_text(path.read_text(encoding="utf-8").replace("青禾县", "青禾县（山西）"), encoding="utf-8")
    assert run_cli("ingest", str(docs), "--store", str(tmp_path / "clean2")).returncode == 0
    _kill_after(docs, store, "updated", 7)
    rerun = run_cli("ingest", str(docs), "--store", str(store))
    assert rerun.returncode == 0, rerun.stderr
    expected = snapshot(IndexSettings(store=tmp_path / "clean2", embed_model="bundled"))
    assert snapshot(IndexSettings(store=store, embed_model="bundled")) == expected
    again = run_cli("ingest", str(docs), "--store", str(store))
    assert "added 0, updated 0, unchanged 24, removed 0, failed 0" in again.stdout


def test_ingest_into_a_chroma_server(tmp_path: Path, chroma_server: int):
    docs = tmp_path / "docs"
    write_docs(docs, 4)
    env = {"COUNTY_RAG_CHROMA_HOST": "127.0.0.1", "COUNTY_RAG_CHROMA_PORT": str(chroma_server)}
    first = run_cli("ingest", str(docs), "--store", str(tmp_path / "local"), env=env)
    assert first.returncode == 0, first.stderr
    assert "added 4" in first.stdout
    collection = chromadb.HttpClient(host="127.0.0.1", port=chroma_server).get_collection("county_rag")
    assert collection.metadata["embed_model"] == BUNDLED_MODEL
    assert collection.count() > 4
    (docs / "doc_001.txt").unlink()
    second = run_cli("ingest", str(docs), "--store", str(tmp_path / "local"), env=env)
    assert "removed 1" in second.stdout and "unchanged 3" in second.stdout
    assert not collection.get(where={"source": "doc_001.txt"})["ids"]
    assert not (tmp_path / "local" / "chroma").exists()  # vectors live on the server only


@pytest.fixture
def silent_hub():
    """A model hub that accepts connections and never answers (a firewall that drops)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.parametrize("hub", ["silent", "closed"])
def test_unreachable_hub_falls_back_within_five_seconds(tmp_path: Path, hub: str, silent_hub: str):
    endpoint = silent_hub if hub == "silent" else f"http://127.0.0.1:{free_port()}"
    code = (
        "import time, json; from ingest.settings import IndexSettings;"
        "from ingest.embedder import resolve_model; t = time.perf_counter();"
        "c = resolve_model(IndexSettings(embed_model='BAAI/bge-small-zh-v1.5'));"
        "print(json.dumps([c.model_id, c.fallback_reason, time.perf_counter() - t]))"
    )
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_ENDPOINT": endpoint}
    env.pop("HF_HUB_OFFLINE", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    import json

    model_id, reason, seconds = json.loads(done.stdout)
    assert model_id == BUNDLED_MODEL
    assert "bge-small-zh" in reason and "unreachable" in reason
    assert seconds < 5


def test_fallback_is_announced_in_one_line_and_can_be_refused(tmp_path: Path):
    docs = tmp_path / "docs"
    write_docs(docs, 1)
    env = {"COUNTY_RAG_EMBED_MODEL": "BAAI/bge-small-zh-v1.5", "HF_HOME": str(tmp_path / "hf"),
           "HF_HUB_OFFLINE": "1"}
    done = run_cli("ingest", str(docs), "--store", str(tmp_path / "s"), env=env)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and BUNDLED_MODEL in notes[0] and "bge-small-zh" in notes[0]
    refused = run_cli("ingest", str(docs), "--store", str(tmp_path / "t"),
                      env={**env, "COUNTY_RAG_EMBED_FALLBACK": "false"})
    assert refused.returncode == 1 and "COUNTY_RAG_EMBED_FALLBACK" in refused.stderr


def test_every_bad_file_gets_one_line_and_the_rest_is_indexed(tmp_path: Path):
    from . import fixture_docs

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("青禾县每年可生产金属镁8万吨。", encoding="utf-8")
    fixture_docs.write_docx(docs / "good.docx")
    bad = {
        "empty.txt": "empty file",
        "corrupt.pdf": "corrupt PDF",
        "encrypted.pdf": "encrypted PDF",
        "scanned.pdf": "no text found (scanned PDF: OCR read nothing)",
        "sheet.xlsx": "corrupt Excel file",
        "slides.pptx": "unsupported file type .pptx",
        "binary.txt": "undecodable bytes",
        "big.txt": "file too large",
        "loop1.txt": "symlink loop",
        "loop2.txt": "symlink loop",
    }
    (docs / "empty.txt").write_bytes(b"")
    fixture_docs.write_corrupt_pdf(docs / "corrupt.pdf")
    fixture_docs.write_encrypted_pdf(docs / "encrypted.pdf")
    fixture_docs.write_scanned_pdf(docs / "scanned.pdf", pages=1)
    (docs / "sheet.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    (docs / "slides.pptx").write_bytes(b"PK\x03\x04 not read anyway")
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (docs / "big.txt").write_text("青禾县" * 20000, encoding="utf-8")
    os.symlink(docs / "loop2.txt", docs / "loop1.txt")
    os.symlink(docs / "loop1.txt", docs / "loop2.txt")

    done = run_cli("ingest", str(docs), "--store", str(tmp_path / "store"),
                   env={"COUNTY_RAG_MAX_FILE_MB": "0.05"})
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith(str(docs))]
    assert len(lines) == len(bad)
    for name, reason in bad.items():
        assert any(line.startswith(f"{docs / name}: ") and reason in line for line in lines), name
    assert "added 2, updated 0, unchanged 0, removed 0, failed 10" in done.stdout
    stored = {m["source"] for _, m in snapshot(IndexSettings(store=tmp_path / "store", embed_model="bundled")).values()}
    assert stored == {"good.txt", "good.docx"}


@pytest.mark.slow
def test_ingest_says_per_file_what_it_read_and_ocr_progress_per_page(tmp_path: Path):
    from . import fixture_docs

    docs = tmp_path / "docs"
    docs.mkdir()
    fixture_docs.write_mixed_pdf(docs / "scan.pdf", scanned_pages=4)
    fixture_docs.write_project_xlsx(docs / "projects.xlsx")
    fixture_docs.write_page_image(docs / "notice.png")
    done = run_cli("ingest", str(docs), "--store", str(tmp_path / "store"))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "added: scan.pdf (5 pages, 4 OCR'd pages)" in lines
    assert "added: projects.xlsx (1 table)" in lines
    assert "added: notice.png (1 page, 1 OCR'd page)" in lines
    assert [ln for ln in lines if ln.startswith("scan.pdf: OCR page")] == [
        f"scan.pdf: OCR page {n}/4" for n in range(1, 5)]
    assert re.search(r"added 3, .* failed 0; .*\(\d+\.\d s\)$", done.stdout.strip())
    records = snapshot(IndexSettings(store=tmp_path / "store", embed_model="bundled")).values()
    scanned = {p for _, m in records if m["source"] == "scan.pdf" and m["ocr"]
               for p in range(m["page"], m["page_end"] + 1)}
    assert scanned >= {2, 3, 4, 5}
    assert all(m["kind"] == "table" for _, m in records if m["source"] == "projects.xlsx")
