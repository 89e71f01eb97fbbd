"""Write the acceptance corpus as one .txt file per document into a folder (not the repo).

The county article, the 31 provincial work reports (their `full_text`) and the 599 policy
notices, read from ../shared by path. Usage: python benchmarks/make_corpus.py OUT_DIR
"""

import csv
import json
import shutil
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def write_corpus(out: Path, shared: Path = SHARED) -> int:
    """Write the documents; returns how many files were written."""
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
    return count


if __name__ == "__main__":
    print(write_corpus(Path(sys.argv[1])))
