"""Answer quality on the development questions, through the same Assistant the CLI uses.

Measures, over an index of the full corpus (see make_corpus.py):
- retrieval: a top-5 passage contains the evidence (whitespace removed), answerable questions;
- answers: the answer holds one string of every `must` group, answerable questions;
- the evidence gate: `answered: false` on unanswerable questions, and on answerable ones;
- citations: every citation's text is a stored chunk, verbatim; every [n] has a citation;
- time per question once models are loaded.

Usage: python benchmarks/evaluate.py --store DIR [--out benchmarks/results/eval.json] [FILES...]
(default files: ../shared/eval/*.jsonl and benchmarks/dev_unanswerable.jsonl)
"""

import argparse
import json
import re
import time
from pathlib import Path

from app.answering.assistant import Assistant
from app.answering.citations import cited
from app.settings import Settings

HERE = Path(__file__).resolve().parent
SHARED_EVAL = HERE.parents[1] / "shared" / "eval"
_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACE.sub("", text)


def evaluate(assistant: Assistant, questions: list[dict]) -> dict:
    chunks = {r.id: r.text for r in assistant.retriever.store.records()}
    rows = []
    started = time.perf_counter()
    for q in questions:
        answer = assistant.ask(q["question"])
        top = [squash(p.text) for p in answer.retrieved[:5]]
        text = squash(answer.text)
        row = {"id": q["id"], "answerable": q["answerable"], "answered": answer.answered,
               "verbatim": all(chunks.get(c.chunk_id) == c.text for c in answer.citations),
               "markers_ok": set(cited(answer.text)) <= {c.n for c in answer.citations}}
        if q["answerable"]:
            row["retrieved"] = any(squash(q["evidence"]) in t for t in top)
            row["key"] = all(any(squash(s) in text for s in group) for group in q["must"])
        rows.append(row)
    seconds = time.perf_counter() - started
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]

    def share(items: list[dict], key: str, value=True) -> float:
        return round(sum(r[key] == value for r in items) / len(items), 4) if items else None

    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "retrieval_hit_at_5": share(answerable, "retrieved"),
        "answer_has_key": share(answerable, "key"),
        "refused_unanswerable": share(unanswerable, "answered", False),
        "refused_answerable": share(answerable, "answered", False),
        "citations_verbatim": share(rows, "verbatim"),
        "markers_cited": share(rows, "markers_ok"),
        "seconds_per_question": round(seconds / max(len(rows), 1), 4),
        "misses": [r["id"] for r in answerable if not r["retrieved"]],
    }


def load(paths: list[Path]) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def arguments(doc: str, files: bool = False) -> argparse.Namespace:
    """--store DIR (an index of the corpus) and --out FILE, as every benchmark over an index takes."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    if files:
        parser.add_argument("files", nargs="*", type=Path)
    return parser.parse_args()


def publish(text: str, out: Path | None) -> None:
    """Print a result and, with --out, keep it in that file."""
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")


def main() -> None:
    args = arguments(__doc__, files=True)
    files = args.files or sorted(SHARED_EVAL.glob("*.jsonl")) + [HERE / "dev_unanswerable.jsonl"]
    assistant = Assistant.open(Settings(store=args.store), print)
    report = {"files": [p.name for p in files], **evaluate(assistant, load(files))}
    publish(json.dumps(report, ensure_ascii=False, indent=2), args.out)


if __name__ == "__main__":
    main()
