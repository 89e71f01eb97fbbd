"""What parsing in a worker process (`ingest.parsing.FileParser`) costs, against parsing in the
calling process: the worker's start, the time per file over a folder of documents, and how a
decompression bomb is handled (refused before parsing; with the limits lifted, stopped by the time
limit, its memory going with the worker).

Usage: python benchmarks/parse_worker.py DOCS... [--files N] [--out benchmarks/results/parse_worker.json]
(DOCS: folders of documents, taken in order, e.g. ../shared/realdocs and one written by make_corpus.py).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.errors import FileRejected  # noqa: E402
from ingest.loaders import SUPPORTED_SUFFIXES, check_unpacked, parse_document  # noqa: E402
from ingest.parsing import FileParser  # noqa: E402
from tests.bad_docs import write_docx_bomb  # noqa: E402


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    try:
        result = fn()
    except FileRejected as exc:
        result = exc
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("docs", type=Path, nargs="+")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    files = [p for folder in args.docs for p in sorted(folder.rglob("*"))
             if p.suffix.lower() in SUPPORTED_SUFFIXES][: args.files]
    data = [(p.read_bytes(), p.name) for p in files]

    in_process = sum(timed(lambda: parse_document(b, name))[0] for b, name in data)
    with FileParser(timeout=120) as worker:
        start, _ = timed(lambda: worker.parse(b"warm-up", "start.txt"))
        through_worker = sum(timed(lambda: worker.parse(b, name))[0] for b, name in data)

    with tempfile.TemporaryDirectory() as tmp:
        bomb = write_docx_bomb(Path(tmp) / "bomb.docx", unpacked_mb=24).read_bytes()
    refused, reason = timed(lambda: check_unpacked(bomb, 200 * 2**20, 100))
    with FileParser(timeout=10) as worker:
        stopped, outcome = timed(lambda: worker.parse(bomb, "bomb.docx"))
    report = {
        "files": len(data), "megabytes": round(sum(len(b) for b, _ in data) / 2**20, 1),
        "worker_start_seconds": round(start, 3),
        "in_process_seconds": round(in_process, 2), "worker_seconds": round(through_worker, 2),
        "overhead_ms_per_file": round(1000 * (through_worker - in_process) / max(len(data), 1), 2),
        "bomb_refused_before_parsing_ms": round(1000 * refused, 2), "bomb_reason": str(reason),
        "bomb_limits_lifted_stopped_after_seconds": round(stopped, 1),
        "bomb_limits_lifted_outcome": str(outcome),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
