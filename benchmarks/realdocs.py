"""Real government files in the forms counties publish them: tables and answers. The three Word
files of ../shared/realdocs (used by path, never copied) are checked as they are (`docx`),
printed to PDF by LibreOffice (`pdf`, read by the PDF path: layout and table finder), saved by
LibreOffice as legacy Word 97 (`doc`, read back through LibreOffice), or printed to PDF and each
page turned into a 200-dpi image in a PDF with no text layer (`scan`, read by OCR).

1. Table rows: how many come out self-describing, i.e. every value but a leading row label
   carries its column name, and the row carries a caption or sits under a heading.
2. Retrieval and answers, through the Assistant the CLI uses, over an index of the three files,
   for ../shared/realdocs/questions.jsonl or the question files given (only their questions on
   these files: the sealed sets' in benchmarks/heldout/, say, which were run on the full
   corpus). Evidence of a table cell is given as the row's cells separated by spaces; a top-5
   passage holds it when one line of the passage holds every cell (rows are stored as
   `caption | header: value` lines), else when it holds the span itself.

Usage: python benchmarks/realdocs.py [--format docx|pdf|doc|scan] [--questions FILE ...]
       [--out benchmarks/results/realdocs.md]
"""

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import pypdfium2
from PIL import Image

from app.answering.assistant import Assistant
from app.settings import Settings
from app.staff.evaluation import holds_keys, squash
from ingest.loaders import parse_document
from ingest.ocr import OCR_DPI
from ingest.sync import SyncEvents, sync
from ingest.tables import CELL_SEPARATOR, NAME_SEPARATOR

import questions as Q

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"
FORMATS = ("docx", "pdf", "doc", "scan")


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


def convert(path: Path, target: str, folder: Path, profile: Path) -> Path:
    """The file saved by LibreOffice as `target` (pdf, doc) into `folder`."""
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(folder), str(path)], check=True, capture_output=True)
    return folder / f"{path.stem}.{target}"


def scanned(pdf: Path) -> None:
    """Replace a PDF by its pages as images (OCR_DPI, greyscale), with no text layer."""
    document = pypdfium2.PdfDocument(pdf)
    pages = [page.render(scale=OCR_DPI / 72).to_pil().convert("L") for page in document]
    document.close()
    pages[0].save(pdf, "PDF", resolution=OCR_DPI, save_all=True, append_images=pages[1:])


def published(fmt: str, folder: Path, work: Path) -> None:
    """The three files, in form `fmt`, into `folder`."""
    for path in sorted(REALDOCS.glob("*.docx")):
        if fmt == "docx":
            (folder / path.name).symlink_to(path)
        elif fmt == "doc":
            convert(path, "doc", folder, work / "profile")
        else:
            pdf = convert(path, "pdf", folder, work / "profile")
            if fmt == "scan":
                scanned(pdf)


class _Pages(SyncEvents):
    """Counts the pages read by OCR."""

    def __init__(self) -> None:
        self.ocr_pages = 0

    def file_progress(self, source: str, message: str) -> None:
        if message.startswith("OCR page"):
            self.ocr_pages += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=FORMATS, default="docx")
    parser.add_argument("--questions", type=Path, nargs="+", default=[REALDOCS / "questions.jsonl"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    stems = {path.stem for path in REALDOCS.glob("*.docx")}
    sets = {path.stem: [q for q in Q.load(path) if Path(q["source"]).stem in stems] for path in args.questions}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        published(args.format, folder, Path(tmp))
        lines = ["| file | table rows | self-describing |", "|---|---|---|"]
        for path in sorted(folder.iterdir()):
            doc = parse_document(path.read_bytes(), path.name)
            rows = [(doc.text[s.start:s.end], s.heading_path) for s in doc.spans if s.table]
            good = sum(self_describing(row, heading) for row, heading in rows)
            lines.append(f"| {path.name} | {len(rows)} | {good} ({good / max(len(rows), 1):.0%}) |")
        settings = Settings(_env_file=None, store=Path(tmp) / "store", embed_model="bundled")
        events = _Pages()
        started = time.perf_counter()
        report = sync(settings, [folder], events)
        lines += ["", f"Indexed {len(report.added)} files in {time.perf_counter() - started:.0f} s "
                  f"({report.chunks} chunks; {events.ocr_pages} pages read by OCR); "
                  f"failed: {len(report.failed)}."]
        assistant = Assistant.open(settings)
        results = {name: [answered(assistant, q) for q in items] for name, items in sets.items()}
    lines += ["", "| questions | answerable: evidence in top 5 | answer holds the key | refused "
              "| table cells: evidence in top 5 | answer holds the key | unanswerable refused |",
              "|---|---|---|---|---|---|---|"]
    every = [r for rows in results.values() for r in rows]
    for name, rows in [*results.items(), *([("all", every)] if len(results) > 1 else [])]:
        answerable = [r for r in rows if r["answerable"]]
        tables = [r for r in answerable if r["table"]]
        lines.append(f"| {name} ({len(rows)}) | {count(answerable, 'hit')} | {count(answerable, 'key')} | "
                     f"{count(answerable, 'answered', False)} | {count(tables, 'hit')} | {count(tables, 'key')} | "
                     f"{count([r for r in rows if not r['answerable']], 'answered', False)} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


def answered(assistant: Assistant, q: dict) -> dict:
    """What happened to one question."""
    answer = assistant.ask(q["question"])
    row = {"table": bool(q.get("table")), "answerable": q["answerable"], "answered": answer.answered}
    if q["answerable"]:
        row["hit"] = any(holds(p.text, q["evidence"]) for p in answer.retrieved[:5])
        row["key"] = holds_keys(answer.text, q["must"])
    return row


def count(items: list[dict], key: str, value: bool = True) -> str:
    return f"{sum(r[key] == value for r in items)}/{len(items)}"


if __name__ == "__main__":
    main()
