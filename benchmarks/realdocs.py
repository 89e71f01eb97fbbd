"""Development check on the real Word files in ../shared/realdocs (used by path, never copied).

1. Table rows: how many come out self-describing, i.e. every value but a leading row label
   carries its column name, and the row carries a caption or sits under a heading.
2. Retrieval and answers for ../shared/realdocs/questions.jsonl, through the Assistant the CLI
   uses, over an index of the three files. Evidence of a table cell is given as the row's cells
   separated by spaces; a top-5 passage holds it when one line of the passage holds every cell
   (rows are stored as `caption | header: value` lines), else when it holds the span itself.

With --pdf, the files are first printed to PDF by LibreOffice (as offices publish them) and
the PDFs are checked instead: the same questions through the PDF path (layout, table finder).

Usage: python benchmarks/realdocs.py [--pdf] [--out benchmarks/results/realdocs.md]
"""

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from app.answering.assistant import Assistant
from app.settings import Settings
from app.staff.evaluation import holds_keys, squash
from ingest.loaders import parse_document
from ingest.sync import sync
from ingest.tables import CELL_SEPARATOR, NAME_SEPARATOR

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"


def self_describing(row: str, heading: tuple[str, ...]) -> bool:
    parts = row.split(CELL_SEPARATOR)
    named = [NAME_SEPARATOR in part for part in parts]
    first = named.index(True) if True in named else len(parts)
    has_caption = first >= 2 or bool(heading)  # caption and row label before the named values
    return all(named[first:]) and first < len(parts) and has_caption


def holds(passage: str, evidence: str) -> bool:
    cells = evidence.split()
    if len(cells) > 1 and any(all(squash(c) in squash(line) for c in cells) for line in passage.splitlines()):
        return True
    return squash(evidence) in squash(passage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", action="store_true", help="check the files printed to PDF")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or Path(__file__).parent / "results" / ("realdocs_pdf.md" if args.pdf else "realdocs.md")
    questions = [json.loads(line) for line in (REALDOCS / "questions.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        for path in sorted(REALDOCS.glob("*.docx")):
            if args.pdf:
                subprocess.run(["soffice", f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                                "--convert-to", "pdf", "--outdir", str(folder), str(path)],
                               check=True, capture_output=True)
            else:
                (folder / path.name).symlink_to(path)
        files = sorted(folder.iterdir())
        lines = ["| file | table rows | self-describing |", "|---|---|---|"]
        for path in files:
            doc = parse_document(path.read_bytes(), path.name)
            rows = [(doc.text[s.start:s.end], s.heading_path) for s in doc.spans if s.table]
            good = sum(self_describing(row, heading) for row, heading in rows)
            lines.append(f"| {path.name} | {len(rows)} | {good} ({good / max(len(rows), 1):.0%}) |")
        settings = Settings(_env_file=None, store=Path(tmp) / "store", embed_model="bundled")
        sync(settings, [folder])
        assistant = Assistant.open(settings)
        results = []
        for q in questions:
            answer = assistant.ask(q["question"])
            row = {"table": bool(q.get("table")), "answerable": q["answerable"], "answered": answer.answered}
            if q["answerable"]:
                row["hit"] = any(holds(p.text, q["evidence"]) for p in answer.retrieved[:5])
                row["key"] = holds_keys(answer.text, q["must"])
            results.append(row)
    answerable = [r for r in results if r["answerable"]]
    tables = [r for r in answerable if r["table"]]
    unanswerable = [r for r in results if not r["answerable"]]

    def count(items: list[dict], key: str, value: bool = True) -> str:
        return f"{sum(r[key] == value for r in items)}/{len(items)}"

    lines += ["", "| questions | evidence in top 5 | answer holds the key | refused |", "|---|---|---|---|",
              f"| answerable | {count(answerable, 'hit')} | {count(answerable, 'key')} | "
              f"{count(answerable, 'answered', False)} |",
              f"| of which a table cell | {count(tables, 'hit')} | {count(tables, 'key')} | "
              f"{count(tables, 'answered', False)} |",
              f"| unanswerable | | | {count(unanswerable, 'answered', False)} |"]
    text = "\n".join(lines)
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
