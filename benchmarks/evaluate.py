"""Answer quality on a part of the development questions, through `county-rag eval`'s own code
(app/staff/evaluation.py): per document set and language, and overall.

The validation part is never tuned on: run it once a model is frozen (train_scorer.py), and
report what it says. The training part can be run the same way, to see the gap.

Usage: python benchmarks/evaluate.py --store DIR [--part valid|train] [--without fresh5,...]
       [--out FILE.json]
(DIR: an index of the county corpus, make_corpus.py; the CMRC set is measured by
public_comparison.py)
"""

import argparse
import json
from pathlib import Path

from app.answering.assistant import Assistant
from app.settings import Settings
from app.staff import evaluation

import questions as Q

SETS = {"xingxian": "county article", "policy": "policy notices", "2026": "provincial reports",
        "qiandongnan": "real documents", "neijiang": "real documents", "henan": "real documents"}


def arguments(doc: str) -> argparse.Namespace:
    """--store DIR (an index of the corpus) and --out FILE, as the benchmarks over an index take."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def publish(text: str, out: Path | None) -> None:
    """Print a result and, with --out, keep it in that file."""
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")


def development_questions(answerable_only: bool = False) -> list[dict]:
    """../shared/eval's development questions (the policy notices and the county article)."""
    questions = [q for path in sorted((Q.SHARED / "eval").glob("*.jsonl")) for q in Q.load(path)]
    return [q for q in questions if q["answerable"] or not answerable_only]


def set_of(question: dict) -> str:
    return SETS.get(question["source"].split("_")[0], "other")


def measure(assistant: Assistant, questions: list[dict]) -> dict:
    items = [evaluation.Question(q["id"], q["question"], q["lang"], q["answerable"], q["must"],
                                 q.get("evidence", ""), q["source"]) for q in questions]
    outcomes = evaluation.run(assistant, items)
    sets = {o.id: set_of(q) for o, q in zip(outcomes, questions)}
    report = {"overall": evaluation.report(outcomes)}
    for name in sorted(set(sets.values())):
        report[name] = evaluation.summary([o for o in outcomes if sets[o.id] == name])
    sealed = {o.id: "sealed" in q for o, q in zip(outcomes, questions)}
    for name, flag in (("written by us", False), ("sealed sets already run", True)):
        report[name] = evaluation.summary([o for o in outcomes if sealed[o.id] == flag])
    report["failures"] = [o.id for o in outcomes if o.failed]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--part", choices=("valid", "train"), default="valid")
    parser.add_argument("--without", default="", help="sealed sets to leave out, comma-separated "
                        "(fresh5,fresh6: the validation part as it stood before those sets were run)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    assistant = Assistant.open(Settings(store=args.store), print)
    left_out = set(filter(None, args.without.split(",")))
    questions = [q for q in Q.split(Q.county_questions())[args.part] if q.get("sealed") not in left_out]
    publish(json.dumps({"part": args.part, **measure(assistant, questions)}, ensure_ascii=False, indent=1),
            args.out)


if __name__ == "__main__":
    main()
