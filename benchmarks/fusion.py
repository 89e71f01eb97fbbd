"""Does fusing the dense ranking ever do worse than keywords alone? Top-5 evidence hits on the
development questions for: keywords only, naive fusion (dense always gets a full vote), and the
adaptive fusion the app uses (the dense vote shrinks with the model's [UNK] rate).

Usage: python benchmarks/fusion.py --store DIR [--out benchmarks/results/fusion.json]
"""

import json

from app.answering.assistant import Assistant
from app.language.query import analyse
from app.settings import Settings

from evaluate import SHARED_EVAL, arguments, load, publish, squash


def main() -> None:
    args = arguments(__doc__)
    assistant = Assistant.open(Settings(store=args.store), print)
    retriever = assistant.retriever
    questions = [q for q in load(sorted(SHARED_EVAL.glob("*.jsonl"))) if q["answerable"]]
    adaptive = retriever.dense_weight
    variants = {"keywords only": lambda *_: 0.0, "naive fusion": lambda *_: 1.0, "adaptive fusion": adaptive}
    report = {"model": retriever.embedder.model_id, "questions": len(questions)}
    weights = []
    for name, weight in variants.items():
        retriever.dense_weight = weight
        hits = 0
        for q in questions:
            found = retriever.search(analyse(q["question"], retriever.lexical.frequency), "investor", 5)
            hits += any(squash(q["evidence"]) in squash(p.text) for p in found.passages[:5])
            if name == "adaptive fusion":
                weights.append(found.dense_weight)
        report[name] = round(hits / len(questions), 4)
    report["mean dense weight (adaptive)"] = round(sum(weights) / len(weights), 4)
    publish(json.dumps(report, indent=2, ensure_ascii=False), args.out)


if __name__ == "__main__":
    main()
