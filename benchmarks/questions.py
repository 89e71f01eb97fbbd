"""The development questions and their split into a training and a validation part, by document.

Sources (all read by path; none is copied into code):
- ../shared/eval/dev_policy_qa.jsonl and dev_seed.jsonl, ../shared/realdocs/questions.jsonl;
- our own questions in benchmarks/questions/*.jsonl and benchmarks/*_unanswerable.jsonl;
- the sealed sets already run once (benchmarks/heldout/): their questions on validation documents
  join the validation part (`SEALED_RUN`); those on training documents join the training part
  for the sets the shipped model was trained with (`SEALED_IN_TRAINING`), so that
  train_scorer.py rebuilds that model as it was;
- the CMRC 2018 trial set (`make_corpus.py OUT cmrc-trial` writes its question file): training only.

A question belongs to the part of its source document (a stable hash of the document's name), so
no document is in both parts. The county article is in the validation part: it is the document
the assistant was first built around, and its figures must be measured on questions no model
was fitted to.
"""

import hashlib
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"
COUNTY_ARTICLE = "xingxian_investment_2023.txt"
TRAIN_SHARE = 0.65
# each run once, on the model it was written for
SEALED_RUN = ("fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9", "fresh10",
              "fresh11", "fresh12", "fresh13", "fresh14", "fresh15", "fresh16", "fresh17", "fresh18")
SEALED_IN_TRAINING = SEALED_RUN[:4]  # the shipped model (v27) was trained with these


def part(source: str) -> str:
    """'train' or 'valid' for a source document."""
    if source == COUNTY_ARTICLE:
        return "valid"
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "train" if digest[0] / 256 < TRAIN_SHARE else "valid"


def file_name(source: str) -> str:
    """The corpus file of a question's `source` (make_corpus.py names): a notice's docid →
    policy_<docid>.txt, a report's name → <name>.txt, a file name as it is."""
    if re.fullmatch(r"[0-9a-f]{32}", source):
        return f"policy_{source}.txt"
    return source if Path(source).suffix else f"{source}.txt"


def load(path: Path, default_source: str = "") -> list[dict]:
    """Questions of a file, `source` as the corpus file name."""
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for q in questions:
        q["source"] = file_name(q.get("source") or default_source)
        q.setdefault("lang", "zh")
        q.setdefault("must", [])
        q.setdefault("evidence", "")
    return questions


def county_questions() -> list[dict]:
    """Every development question over the county corpus (the 631 files and the real documents)."""
    files = [(SHARED / "eval" / "dev_policy_qa.jsonl", ""), (SHARED / "eval" / "dev_seed.jsonl", COUNTY_ARTICLE),
             (SHARED / "realdocs" / "questions.jsonl", ""),
             (HERE / "dev_unanswerable.jsonl", COUNTY_ARTICLE), (HERE / "heldout_unanswerable.jsonl", COUNTY_ARTICLE)]
    files += [(path, "") for path in sorted((HERE / "questions").glob("*.jsonl"))]
    return [q for path, source in files for q in load(path, source)] + sealed_questions()


def sealed_questions() -> list[dict]:
    """The sealed sets already run, each question marked with its set (`sealed`): those on
    validation documents, and those on training documents of `SEALED_IN_TRAINING`."""
    out = []
    for name in SEALED_RUN:
        for q in load(HERE / "heldout" / f"{name}.jsonl"):
            if part(q["source"]) == "valid" or name in SEALED_IN_TRAINING:
                out.append({**q, "sealed": name})
    return out


def split(questions: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"train": [], "valid": []}
    for q in questions:
        out[part(q["source"])].append(q)
    return out
