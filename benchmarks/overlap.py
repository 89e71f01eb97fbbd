"""Chunk overlap: evidence recall in the top 5 against the tokens a reading model must embed.

For each overlap, the corpus (make_corpus.py) is indexed with the bundled model and the
answerable development questions (../shared/eval/*.jsonl) are asked through the Assistant. Recall
is what retrieval finds; the cost is the model tokens of all chunks (what a model that reads
Chinese would embed: the bundled English model embeds only what it can read), turned into
seconds at the embedding speed measured here on a sample of the corpus's chunks.

Usage: python benchmarks/overlap.py [--corpus DIR] [--overlaps 0 50 100 200] [--out FILE.md]
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

from app.answering.assistant import Assistant
from app.settings import Settings
from ingest.documents import index_text
from ingest.embedder import load_embedder
from ingest.store import IndexStore
from ingest.sync import sync

from evaluate import development_questions
from evaluate import measure as evaluate
from make_corpus import write_corpus

SAMPLE = 256  # chunks embedded to measure the model's speed


def measure(corpus: Path, store: Path, overlap: int, questions: list[dict]) -> dict:
    settings = Settings(_env_file=None, store=store, embed_model="bundled", chunk_overlap_tokens=overlap)
    started = time.perf_counter()
    sync(settings, [corpus])
    ingest_seconds = time.perf_counter() - started
    records = IndexStore(settings, create=False).records()
    texts = [index_text(r.meta["title"], r.meta["heading"], r.text) for r in records]
    assistant = Assistant.open(settings, lambda message: None)
    tokens = sum(assistant.retriever.embedder.count(texts))
    quality = evaluate(assistant, questions)["overall"]["overall"]
    return {"overlap": overlap, "chunks": len(records), "tokens": tokens,
            "ingest_seconds": round(ingest_seconds, 1), "hit_at_5": quality["evidence_hit_at_5"],
            "answer_has_key": quality["answer_has_key"], "sample_texts": texts[:SAMPLE]}


def embed_speed(texts: list[str]) -> float:
    """Model tokens per second, embedding `texts` with the bundled model (the offline stand-in
    for a model of the same size that reads Chinese)."""
    embedder = load_embedder(Settings(_env_file=None, embed_model="bundled"), lambda message: None)
    started = time.perf_counter()
    embedder.embed_documents(texts)
    return sum(embedder.count(texts)) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--overlaps", type=int, nargs="+", default=[0, 50, 100, 200])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "overlap.md")
    args = parser.parse_args()
    questions = development_questions(answerable_only=True)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp) / "corpus"
        if args.corpus is None:
            write_corpus(corpus)
        rows = [measure(corpus, Path(tmp) / f"store-{n}", n, questions) for n in args.overlaps]
    speed = embed_speed(rows[0].pop("sample_texts"))
    lines = [f"Embedding speed (bundled model, {SAMPLE} chunks): {speed:,.0f} tokens/s. "
             f"{len(questions)} answerable development questions.", "",
             "| overlap (tokens) | chunks | tokens to embed | embedding time at that speed | "
             "evidence in top 5 | answer holds the key |", "|---|---|---|---|---|---|"]
    for row in rows:
        row.pop("sample_texts", None)
        lines.append(f"| {row['overlap']} | {row['chunks']:,} | {row['tokens']:,} | "
                     f"{row['tokens'] / speed:,.0f} s | {row['hit_at_5']:.1%} | {row['answer_has_key']:.1%} |")
    text = "\n".join(lines)
    print(text)
    print(json.dumps(rows, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
