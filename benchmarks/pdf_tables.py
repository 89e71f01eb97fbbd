"""PDF table finders compared: pdfplumber against PyMuPDF's find_tables, on real tables.

The real Word files in ../shared/realdocs are printed to PDF by LibreOffice (as offices
publish them), and each finder's cells are checked against the Word tables' own cells: the
share of Word cells found verbatim (white space removed), of numeric cells found exactly,
and the time taken. PyMuPDF is only imported here (`pip install pymupdf`); it is AGPL-licensed.

Usage: python benchmarks/pdf_tables.py [--out benchmarks/results/pdf_tables.md]
"""

import argparse
import re
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import docx

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?%?$")


def squash(text: str | None) -> str:
    return _SPACE.sub("", text or "")


def word_cells(path: Path) -> Counter:
    """Non-empty cells of the Word file's tables of two columns or more (merged cells once)."""
    cells: Counter = Counter()
    for table in docx.Document(str(path)).tables:
        for row in table.rows:
            seen = []
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.append(cell._tc)
                    if text := squash(cell.text):
                        cells[text] += 1
    return cells


def plumber_cells(pdf: Path) -> Counter:
    import pdfplumber

    cells: Counter = Counter()
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            for table in page.find_tables():
                if len(table.columns) >= 2:
                    cells.update(t for row in table.extract() for c in row if (t := squash(c)))
    return cells


def pymupdf_cells(pdf: Path) -> Counter:
    import pymupdf

    cells: Counter = Counter()
    with pymupdf.open(pdf) as document:
        for page in document:
            for table in page.find_tables().tables:
                if table.col_count >= 2:
                    cells.update(t for row in table.extract() for c in row if (t := squash(c)))
    return cells


def score(truth: Counter, found: Counter) -> tuple[float, float]:
    hit = sum((truth & found).values()) / max(sum(truth.values()), 1)
    numbers = Counter({k: v for k, v in truth.items() if _NUMBER.match(k)})
    exact = sum((numbers & found).values()) / max(sum(numbers.values()), 1)
    return hit, exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "pdf_tables.md")
    args = parser.parse_args()
    lines = ["| file | Word cells | finder | cells found | numbers exact | seconds |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for source in sorted(REALDOCS.glob("*.docx")):
            truth = word_cells(source)
            if not truth:
                continue
            subprocess.run(["soffice", f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                            "--convert-to", "pdf", "--outdir", tmp, str(source)], check=True, capture_output=True)
            pdf = Path(tmp) / f"{source.stem}.pdf"
            for name, finder in (("pdfplumber", plumber_cells), ("PyMuPDF", pymupdf_cells)):
                started = time.perf_counter()
                found = finder(pdf)
                seconds = time.perf_counter() - started
                hit, exact = score(truth, found)
                lines.append(f"| {source.name} | {sum(truth.values())} | {name} | {hit:.1%} | {exact:.1%} | {seconds:.1f} |")
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
