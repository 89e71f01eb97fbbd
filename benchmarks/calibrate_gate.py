"""The evidence gate's trade-off: refusals of answerable vs unanswerable questions per threshold.

Runs the Assistant's own retrieval and extraction once per question, then applies the gate
(app/evidence.py) at each candidate COUNTY_RAG_MIN_SUPPORT. Writes a Markdown table.

Usage: python benchmarks/calibrate_gate.py --store DIR [--out benchmarks/results/gate.md]
"""

from app.answering.assistant import Assistant
from app.settings import Settings

from evaluate import HERE, SHARED_EVAL, arguments, load, publish

THRESHOLDS = [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]


def main() -> None:
    args = arguments(__doc__)
    assistant = Assistant.open(Settings(store=args.store), print)
    questions = load(sorted(SHARED_EVAL.glob("*.jsonl")) + [HERE / "dev_unanswerable.jsonl"])
    cases = [(q["answerable"], assistant.evidence(q["question"])) for q in questions]
    answerable = sum(1 for c in cases if c[0])
    lines = ["| min_support | refused answerable | refused unanswerable |", "|---|---|---|"]
    for threshold in THRESHOLDS:
        refused = [not evidence.supported(threshold) for _, evidence in cases]
        wrong_refusals = sum(r for r, c in zip(refused, cases) if c[0]) / answerable
        right_refusals = sum(r for r, c in zip(refused, cases) if not c[0]) / (len(cases) - answerable)
        lines.append(f"| {threshold} | {wrong_refusals:.1%} | {right_refusals:.1%} |")
    publish(f"# Evidence gate calibration\n\n{answerable} answerable and {len(cases) - answerable} "
            "unanswerable development questions.\n\n" + "\n".join(lines), args.out)


if __name__ == "__main__":
    main()
