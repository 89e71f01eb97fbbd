"""Legacy Word (.doc) converters compared: LibreOffice headless (what county-rag uses) against
antiword and catdoc, on the real Word files of ../shared/realdocs saved as .doc.

For each converter: the time per file, and the share of the Word tables' rows that come out
whole (every cell of the row on one line of the output, as the row's self-describing line needs).
Tools that are not installed are skipped (`apt-get install antiword catdoc` to compare them).

Usage: python benchmarks/legacy_word.py [--out benchmarks/results/legacy_word.md]
"""

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import docx

from app.staff.evaluation import squash
from ingest.loaders import parse_document

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"


def table_rows(path: Path) -> list[list[str]]:
    return [[squash(c.text) for c in row.cells if squash(c.text)]
            for table in docx.Document(str(path)).tables for row in table.rows]


def whole(rows: list[list[str]], text: str) -> float:
    lines = [squash(line) for line in text.splitlines()]
    kept = sum(any(all(c in line for c in row) for line in lines) for row in rows if row)
    return kept / max(sum(1 for row in rows if row), 1)


def converters(doc: Path) -> dict:
    return {
        "LibreOffice (county-rag)": lambda: parse_document(doc.read_bytes(), doc.name).text,
        "antiword": lambda: subprocess.run(["antiword", "-m", "UTF-8.txt", str(doc)], capture_output=True,
                                           text=True, check=True).stdout,
        "catdoc": lambda: subprocess.run(["catdoc", "-d", "utf-8", str(doc)], capture_output=True,
                                         text=True, check=True).stdout,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "legacy_word.md")
    args = parser.parse_args()
    lines = ["| file | table rows | converter | rows whole | seconds |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for source in sorted(REALDOCS.glob("*.docx")):
            rows = table_rows(source)
            if not rows:
                continue
            subprocess.run(["soffice", f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                            "--convert-to", "doc", "--outdir", tmp, str(source)], check=True, capture_output=True)
            doc = Path(tmp) / f"{source.stem}.doc"
            for name, convert in converters(doc).items():
                if name != "LibreOffice (county-rag)" and shutil.which(name) is None:
                    continue
                started = time.perf_counter()
                text = convert()
                seconds = time.perf_counter() - started
                lines.append(f"| {doc.name} | {len(rows)} | {name} | {whole(rows, text):.0%} | {seconds:.1f} |")
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
