"""Write a benchmark corpus as one file per document into a folder (not the repo), from ../shared.

- `county` (default): the county article, the 31 provincial work reports (their `full_text`),
  the 599 policy notices, and the three real government Word files (linked, not copied).
- `cmrc-trial`, `cmrc-dev`: the passages of a CMRC 2018 set, one `.txt` per passage (its
  article title, then the passage), and beside the folder a question file in the format of
  ../shared/eval/README.md (`OUT.questions.jsonl`).

Usage: python benchmarks/make_corpus.py OUT_DIR [county|cmrc-trial|cmrc-dev]
"""

import csv
import json
import shutil
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def write_corpus(out: Path, shared: Path = SHARED) -> int:
    """Write the county documents; returns how many files were written."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(shared / "corpus" / "xingxian_investment_2023.txt", out / "xingxian_investment_2023.txt")
    count = 1
    csv.field_size_limit(sys.maxsize)
    for path in sorted((shared / "evaldata" / "gov_reports_2026" / "csv").glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            row = next(csv.DictReader(handle))
        (out / f"{path.stem}.txt").write_text(row["full_text"], encoding="utf-8")
        count += 1
    notices = shared / "evaldata" / "ncp_policy_qa" / "derived" / "corpus.jsonl"
    for line in notices.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        (out / f"policy_{record['docid']}.txt").write_text(record["text"], encoding="utf-8")
        count += 1
    for path in sorted((shared / "realdocs").glob("*.docx")):
        link = out / path.name
        if not link.is_symlink():
            link.symlink_to(path)
        count += 1
    return count


def write_cmrc(out: Path, split: str, shared: Path = SHARED) -> int:
    """Write a CMRC 2018 set's passages and its questions; returns how many passages."""
    data = json.loads((shared / "evaldata" / "cmrc2018" / f"cmrc2018_{split}.json").read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    questions, count = [], 0
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            name = f"cmrc_{paragraph['id']}.txt"
            (out / name).write_text(f"{article['title']}\n{paragraph['context']}\n", encoding="utf-8")
            count += 1
            for qa in paragraph["qas"]:
                answers = list(dict.fromkeys(a["text"] for a in qa["answers"] if a["text"].strip()))
                questions.append({"id": qa["id"], "question": qa["question"], "lang": "zh",
                                  "answerable": True, "must": [answers], "evidence": answers[0],
                                  "source": name})
    out.with_name(out.name + ".questions.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return count


if __name__ == "__main__":
    target, kind = Path(sys.argv[1]), (sys.argv[2] if len(sys.argv) > 2 else "county")
    print(write_corpus(target) if kind == "county" else write_cmrc(target, kind.removeprefix("cmrc-")))
