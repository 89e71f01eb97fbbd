"""Wall time of `county-rag ask --batch` over 100 development questions, and of a single
question (which is all start-up: models and index loaded), as a user would run them.

Usage: python benchmarks/batch_time.py --store DIR [--out benchmarks/results/batch_time.json]
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evaluate import arguments, development_questions, publish

QUESTIONS = 100


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", "ask", *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    args = arguments(__doc__)
    questions = development_questions()[:QUESTIONS]
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "questions.jsonl"
        batch.write_text("".join(json.dumps({"id": q["id"], "question": q["question"]}, ensure_ascii=False)
                                 + "\n" for q in questions), encoding="utf-8")
        single = timed(questions[0]["question"], "--json", "--store", str(args.store))
        whole = timed("--batch", str(batch), "--store", str(args.store))
    report = {"questions": len(questions), "batch_seconds": round(whole, 1),
              "single_question_seconds": round(single, 1),
              "batch_seconds_after_start_up": round(whole - single, 1)}
    publish(json.dumps(report, indent=2), args.out)


if __name__ == "__main__":
    main()
