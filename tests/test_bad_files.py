"""Issue 10, item 3: one bad file never stops the batch. Loader errors of any type, decompression
bombs and parsers that never finish each fail their own file with a one-line reason; the worker
process that parses them is replaced and the other files are indexed."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ingest.errors import FileRejected
from ingest.parsing import FileParser
from ingest.settings import IndexSettings
from ingest.store import IndexStore
from ingest.sync import sync

from . import fixture_docs
from .bad_docs import write_docx_bomb, write_truncated_docx
from .test_ingest_cli import run_cli

GOOD = "青禾县每年可生产金属镁8万吨，园区道路和供电设施已经全部建成。"


def indexed_sources(store: Path) -> set[str]:
    return {d.source for d in IndexStore(IndexSettings(store=store, embed_model="bundled"),
                                         create=False).docs().values()}


def test_truncated_word_xml_is_one_line_and_the_rest_is_indexed(tmp_path: Path):
    """The case as found: lxml's XMLSyntaxError (not a FileRejected) used to stop the whole run
    with a 172-line traceback."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD, encoding="utf-8")
    fixture_docs.write_docx(docs / "good.docx")
    write_truncated_docx(docs / "truncated.docx")

    done = run_cli("ingest", str(docs), "--store", str(tmp_path / "store"))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith(str(docs))]
    assert lines == [f"{docs / 'truncated.docx'}: cannot read this docx file: XMLSyntaxError: "
                     + lines[0].split("XMLSyntaxError: ", 1)[1]]
    assert len(lines[0]) < 250
    assert "added 2, updated 0, unchanged 0, removed 0, failed 1" in done.stdout
    assert indexed_sources(tmp_path / "store") == {"good.txt", "good.docx"}


def test_a_decompression_bomb_is_refused_before_parsing(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD, encoding="utf-8")
    bomb = write_docx_bomb(docs / "bomb.docx", unpacked_mb=24)
    assert bomb.stat().st_size < 200 * 2**10  # small on disk, well under the size limit

    report = sync(IndexSettings(store=tmp_path / "store", embed_model="bundled"), [docs])
    assert report.added == ["good.txt"]
    [(path, reason)] = report.failed
    assert path == str(bomb) and reason.kind == "packed_ratio"
    assert "decompression bomb" in str(reason) and "COUNTY_RAG_MAX_UNPACKED_RATIO" in str(reason)

    # an absolute limit too: the same file with the ratio allowed but the unpacked size not
    settings = IndexSettings(store=tmp_path / "store", embed_model="bundled", max_unpacked_ratio=10_000,
                             max_unpacked_mb=5)
    [(_, reason)] = sync(settings, [docs]).failed
    assert reason.kind == "unpacked_too_large" and "over the 5 MB limit" in str(reason)


def test_a_parser_that_runs_too_long_is_stopped_and_the_next_file_is_read(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_docx_bomb(docs / "a_slow.docx", unpacked_mb=6)  # python-docx takes far more than 1 s
    (docs / "b_good.txt").write_text(GOOD, encoding="utf-8")
    settings = IndexSettings(store=tmp_path / "store", embed_model="bundled", max_unpacked_ratio=10_000,
                             parse_timeout=1)
    report = sync(settings, [docs])
    [(path, reason)] = report.failed
    assert Path(path).name == "a_slow.docx" and reason.kind == "timeout"
    assert "COUNTY_RAG_PARSE_TIMEOUT" in str(reason)
    assert report.added == ["b_good.txt"]


def test_progress_crosses_the_process_boundary_and_restarts_the_clock(write_fixture):
    pdf = write_fixture("guide.pdf", fixture_docs.write_chinese_pdf)
    seen: list[tuple[str, int]] = []
    with FileParser(timeout=60) as parser:
        doc = parser.parse(pdf.read_bytes(), "guide.pdf", lambda m: seen.append((m, os.getpid())))
        worker = parser._process.pid
    assert [m for m, _ in seen] == ["page 1/3", "page 2/3", "page 3/3"]
    assert {pid for _, pid in seen} == {os.getpid()}  # delivered in the caller's process
    assert worker != os.getpid() and fixture_docs.PDF_TITLE in doc.text


def test_a_worker_holding_too_much_memory_after_a_file_is_replaced():
    pids = []
    for recycle_mb in (1, 10_000):  # every worker holds more than 1 MB
        with FileParser(timeout=60, recycle_mb=recycle_mb) as parser:
            for text in ("青禾县", "临县"):
                parser.parse(text.encode(), "a.txt")
                pids.append(parser._process.pid if parser._process else None)
    assert pids[:2] == [None, None]  # stopped after each file; the next file starts another
    assert pids[2] == pids[3] is not None  # kept while it holds little


def test_a_worker_that_dies_fails_its_file_only(write_fixture, tmp_path: Path):
    slow = write_docx_bomb(tmp_path / "slow.docx", unpacked_mb=6).read_bytes()
    pdf = write_fixture("guide.pdf", fixture_docs.write_chinese_pdf)
    with FileParser(timeout=600) as parser:
        parser.parse("热身".encode(), "warm.txt")
        worker = parser._process.pid
        # the worker killed as if out of memory, while it reads a file that takes many seconds
        threading.Timer(1, os.kill, (worker, signal.SIGKILL)).start()
        with pytest.raises(FileRejected) as failed:
            parser.parse(slow, "slow.docx")
        assert failed.value.kind == "crashed" and "-9" in str(failed.value)
        again = parser.parse(pdf.read_bytes(), "guide.pdf")  # a new worker takes over
        assert parser._process.pid != worker
    assert fixture_docs.PDF_TITLE in again.text


def test_the_worker_does_not_outlive_a_caller_killed_mid_file(tmp_path: Path):
    slow = write_docx_bomb(tmp_path / "slow.docx", unpacked_mb=6)
    script = (
        "import sys; from pathlib import Path; from ingest.parsing import FileParser\n"
        "parser = FileParser(timeout=600)\n"
        "parser.parse('热身'.encode(), 'warm.txt')\n"
        "print(parser._process.pid, flush=True)\n"
        f"parser.parse(Path({str(slow)!r}).read_bytes(), 'slow.docx')\n"
    )
    caller = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    worker = int(caller.stdout.readline())
    time.sleep(1)  # the worker is parsing the slow file
    caller.send_signal(signal.SIGKILL)
    caller.wait()
    deadline = time.monotonic() + 30
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running(worker)


def running(pid: int) -> bool:
    """Whether the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
