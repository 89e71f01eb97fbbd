"""Answering time, memory and opening time against index size, up to 200,000 chunks.

The index is grown in steps from the public sets in ../shared/evaldata (policy notices, the
provincial work reports, CMRC 2018 passages), repeated with varied text (figures shifted, a
variant mark in each title) until each size is reached. Documents go through the real loader
and chunker into Chroma and the BM25 index; only the embedder is replaced, by a fast
deterministic one (hashed character bigrams, 512 dimensions, the size of bge-small-zh's
vectors), since the real model would take hours. At each size a fresh process opens the index,
answers CMRC questions whose passages are in it (retrieval + extractive answer, investor role:
dense and keyword sides both searched), and reports p50/p95 latency, its memory and the time
opening took. Results go to benchmarks/results/scale.json and scale.png.

Usage: python benchmarks/scale.py [--sizes 2000,20000,200000] [--questions 100] [--keep DIR]
       [--profile]     (with --profile, where the time goes at the largest size)
       python benchmarks/scale.py --remeasure DIR [--questions 100] [--profile]
With --keep, the index of each size is kept as DIR/<size> (a copy taken with Chroma closed), so
that --remeasure can measure them again later (after a change to retrieval) without rebuilding.
"""

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVALDATA = ROOT.parent / "shared" / "evaldata"
RESULTS = ROOT / "benchmarks" / "results"

from app.answering.assistant import Assistant  # noqa: E402
from app.retrieval.retriever import Retriever  # noqa: E402
from app.settings import Settings  # noqa: E402
from ingest.chunking import chunk_document  # noqa: E402
from ingest.lexical import open_lexical  # noqa: E402
from ingest.loaders import parse_document  # noqa: E402
from ingest.store import IndexStore, doc_id_for, next_stamp  # noqa: E402

DIM = 512
INTERNAL_EVERY = 10  # every tenth document is internal (investors do not see it)
WARM_UP = 5
WRITE_BATCH = 2000  # chunks per Chroma call while building
_TOKEN = re.compile(r"[\u3400-\u9fff]|[A-Za-z]+|\d+|[^\s\w]")
_NUMBER = re.compile(r"\d+")


class HashEmbedder:
    """A fast deterministic stand-in for the embedding model: hashed character bigrams, signed,
    normalised. Tokens are CJK characters, words, numbers and punctuation marks."""

    model_id = f"benchmark/hashed-bigrams-{DIM}"
    dim = DIM

    def count(self, texts: list[str]) -> list[int]:
        return [len(_TOKEN.findall(text)) for text in texts]

    def prefix_chars(self, text: str, max_tokens: int) -> int:
        ends = [m.end() for m in _TOKEN.finditer(text)]
        return len(text) if len(ends) <= max_tokens else (ends[max_tokens - 1] if max_tokens else 0)

    def unknown_rate(self, text: str) -> float:
        return 0.0  # it "reads" everything: the dense side is always searched

    def _vector(self, text: str) -> np.ndarray:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        vector = np.zeros(DIM, dtype=np.float32)
        if len(codes) > 1:
            grams = codes[:-1] * np.uint64(1_000_003) + codes[1:]
            np.add.at(vector, (grams % np.uint64(DIM)).astype(np.int64),
                      np.where((grams >> np.uint64(20)) & np.uint64(1), 1.0, -1.0).astype(np.float32))
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_documents(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def base_documents() -> list[tuple[str, str, str]]:
    """(source, title, text) of the public sets."""
    docs = []
    for line in (EVALDATA / "ncp_policy_qa" / "derived" / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        docs.append((f"ncp/{record['docid']}.txt", text[:40], text))
    import csv

    csv.field_size_limit(10**8)
    for path in sorted((EVALDATA / "gov_reports_2026" / "csv").glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                docs.append((f"reports/{path.stem}.txt", row["title"], row["full_text"]))
    for name in ("cmrc2018_dev.json", "cmrc2018_trial.json"):
        data = json.loads((EVALDATA / "cmrc2018" / name).read_text(encoding="utf-8"))
        for i, article in enumerate(data["data"]):
            context = "\n".join(p["context"] for p in article["paragraphs"])
            docs.append((f"cmrc/{name}-{i}.txt", article.get("title") or context[:30], context))
    return docs


def variant(text: str, k: int) -> str:
    """The text with every figure shifted by k (variant 0: unchanged)."""
    return text if k == 0 else _NUMBER.sub(lambda m: str(int(m.group()) + k), text)


def documents() -> Iterator[tuple[str, str]]:
    """(source, file text) of variant 0, 1, 2… of every base document, without end."""
    base = base_documents()
    k = 0
    while True:
        for source, title, text in base:
            mark = f"（汇编{k}）" if k else ""
            yield f"v{k}/{source}", f"{variant(title, k)}{mark}\n\n{variant(text, k)}\n"
        k += 1


def grow(settings: Settings, embedder: HashEmbedder, stream: Iterator[tuple[str, str]], target: int) -> dict:
    """Add documents until the index holds `target` chunks; rebuild the keyword index. Chunks
    are stored as `IndexStore.write` stores a first version (same metadata), but many documents
    per Chroma call: one call per document costs about 150 ms whatever its size, which would make
    200,000 chunks a day's build; readers see the same index either way."""
    store = IndexStore(settings, create=True)
    store.ensure_collection(embedder.model_id, embedder.dim)
    have = store.collection.count()
    started = time.perf_counter()
    n_docs = 0
    batch: dict[str, list] = {"ids": [], "embeddings": [], "documents": [], "metadatas": []}

    def flush() -> None:
        if batch["ids"]:
            store.collection.add(**batch)
        for values in batch.values():
            values.clear()

    while have < target:
        source, text = next(stream)
        doc = parse_document(text.encode("utf-8"), source)
        doc_id = doc_id_for("benchmark", source)
        chunks = chunk_document(doc, doc_id, embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
        visibility = "internal" if zlib.crc32(source.encode()) % INTERNAL_EVERY == 0 else "public"
        stamp = next_stamp(0)
        batch["ids"] += [c.id for c in chunks]
        batch["embeddings"] += list(embedder.embed_documents([c.index_text for c in chunks]))
        batch["documents"] += [c.text for c in chunks]
        batch["metadatas"] += [store.chunk_meta(doc, doc_id, "benchmark", c, len(chunks), visibility, stamp)
                               for c in chunks]
        if len(batch["ids"]) >= WRITE_BATCH:
            flush()
        have += len(chunks)
        n_docs += 1
    flush()
    written = time.perf_counter() - started
    store.bump("content_rev")
    started = time.perf_counter()
    open_lexical(store)
    return {"documents_added": n_docs, "write_seconds": round(written, 1),
            "keyword_index_seconds": round(time.perf_counter() - started, 1)}


def questions(n: int) -> list[str]:
    """CMRC questions about passages of variant 0 (always in the index), own order kept."""
    data = json.loads((EVALDATA / "cmrc2018" / "cmrc2018_dev.json").read_text(encoding="utf-8"))
    found = [qa["question"] for article in data["data"] for p in article["paragraphs"] for qa in p["qas"]]
    step = max(1, len(found) // (n + WARM_UP))
    return found[::step][: n + WARM_UP]


def measure(store: Path, n: int, profile: bool) -> dict:
    """In this (fresh) process: open the index, answer n questions; times and memory."""
    import psutil

    process = psutil.Process()
    baseline = process.memory_info().rss
    settings = Settings(_env_file=None, store=store)
    started = time.perf_counter()
    index = IndexStore(settings, create=False)
    assistant = Assistant(settings, Retriever(settings, index, HashEmbedder()))
    opened = time.perf_counter() - started
    rss_open = process.memory_info().rss
    asked = questions(n)
    for question in asked[:WARM_UP]:
        assistant.ask(question)
    seconds = []
    profiler = cProfile.Profile() if profile else None
    for question in asked[WARM_UP:]:
        if profiler:
            profiler.enable()
        began = time.perf_counter()
        assistant.ask(question)
        seconds.append(time.perf_counter() - began)
        if profiler:
            profiler.disable()
    result = {
        "chunks": index.collection.count(), "questions": len(seconds),
        "open_seconds": round(opened, 2),
        "p50_ms": round(float(np.percentile(seconds, 50)) * 1000, 1),
        "p95_ms": round(float(np.percentile(seconds, 95)) * 1000, 1),
        "rss_mb_before_open": round(baseline / 2**20), "rss_mb_open": round(rss_open / 2**20),
        "rss_mb_after_questions": round(process.memory_info().rss / 2**20),
    }
    if profiler:
        result["profile"] = where_time_goes(profiler, sum(seconds))
    return result


def where_time_goes(profiler: cProfile.Profile, total: float, top: int = 15) -> list[dict]:
    """The project's functions taking the most time (including what they call), with their share."""
    stats = pstats.Stats(profiler).stats
    rows = []
    for (path, line, name), (_, calls, _, cumulative, _) in stats.items():
        if str(ROOT) in path and "/benchmarks/" not in path:
            rows.append({"function": f"{Path(path).relative_to(ROOT)}:{line} {name}", "calls": calls,
                         "share": round(cumulative / total, 3)})
    return sorted(rows, key=lambda r: -r["share"])[:top]


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chunks = [r["chunks"] for r in rows]
    figure, axes = plt.subplots(1, 3, figsize=(14, 4))
    axes[0].plot(chunks, [r["p50_ms"] for r in rows], "o-", label="p50")
    axes[0].plot(chunks, [r["p95_ms"] for r in rows], "o-", label="p95")
    axes[0].axhline(150, color="grey", linestyle="--", label="target p95 150 ms")
    axes[0].set_title("retrieval + extractive answer (ms)")
    axes[1].plot(chunks, [r["rss_mb_after_questions"] for r in rows], "o-", label="after questions")
    axes[1].plot(chunks, [r["rss_mb_before_open"] for r in rows], "o--", label="before opening")
    axes[1].set_title("server memory (RSS, MB)")
    axes[2].plot(chunks, [r["open_seconds"] for r in rows], "o-")
    axes[2].set_title("time to open the index (s)")
    for axis in axes:
        axis.set_xscale("log")
        axis.set_xlabel("chunks in the index")
        axis.grid(True, alpha=0.3)
    axes[0].legend()
    axes[1].legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def snapshot(folder: Path, size: int, keep: Path) -> Path:
    """A copy of the index as it is now, in keep/<size>, taken with Chroma closed (its files are
    consistent only then)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    target = keep / str(size)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target)
    return target


def measured(store: Path, questions_n: int, profile: bool) -> dict:
    """`measure` in a fresh process."""
    command = [sys.executable, __file__, "--measure", str(store), "--questions", str(questions_n)]
    if profile:
        command.append("--profile")
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(rows: list[dict], out: Path, chunk_tokens: int) -> None:
    result = {"machine": {"cpus": os.cpu_count(), "load_at_end": [round(x, 2) for x in os.getloadavg()]},
              "embedder": HashEmbedder.model_id, "chunk_tokens": chunk_tokens, "sizes": rows}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    plot(rows, out.with_suffix(".png"))
    print(f"results: {out} and {out.with_suffix('.png')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000,50000,100000,200000")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="build the index in DIR/index, a copy per size in DIR/<size>")
    parser.add_argument("--remeasure", type=Path, help="measure the copies kept in DIR/<size> again")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.questions, args.profile)))
        return
    if args.remeasure:
        previous = {}
        if args.out.exists():
            previous = {r["chunks"]: r for r in json.loads(args.out.read_text(encoding="utf-8"))["sizes"]}
        kept = sorted((p for p in args.remeasure.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
        rows = []
        for i, store in enumerate(kept):
            row = measured(store, args.questions, args.profile and i == len(kept) - 1)
            built = {k: v for k, v in previous.get(row["chunks"], {}).items()
                     if k in ("documents_added", "write_seconds", "keyword_index_seconds")}
            rows.append({**row, **built})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        report(rows, args.out, Settings(_env_file=None).chunk_tokens)
        return

    sizes = sorted(int(s) for s in args.sizes.split(","))
    folder = args.keep / "index" if args.keep else Path(tempfile.mkdtemp(prefix="county-rag-scale-"))
    settings = Settings(_env_file=None, store=folder)
    stream, embedder, rows = documents(), HashEmbedder(), []
    for size in sizes:
        built = grow(settings, embedder, stream, size)
        store = snapshot(folder, size, args.keep) if args.keep else folder
        row = {**measured(store, args.questions, args.profile and size == sizes[-1]), **built}
        print(json.dumps(row, ensure_ascii=False), flush=True)
        rows.append(row)
    report(rows, args.out, settings.chunk_tokens)


if __name__ == "__main__":
    main()
