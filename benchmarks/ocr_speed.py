"""OCR time per page: a scanned PDF of A4 pages of Chinese text, ingested as county-rag reads it.

Pages of the county article (../shared/corpus) are set in Noto Sans CJK at 12 pt, rendered at
200 dpi into page images, and put in a PDF with no text layer. The PDF is parsed by
`parse_document` (render each page, OCR it with RapidOCR's PP-OCRv4 models); the time of each
page is taken from the progress callback, and what was read is compared with the text set
(character-level similarity).

Usage: python benchmarks/ocr_speed.py [--pages 4] [--out benchmarks/results/ocr_speed.md]
Needs the Debian package fonts-noto-cjk.
"""

import argparse
import difflib
import io
import re
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ingest.loaders import parse_document

ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "xingxian_investment_2023.txt"
NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DPI = 200
CHARS_PER_LINE, LINES_PER_PAGE = 36, 34


def pages_of_text(count: int) -> list[list[str]]:
    text = re.sub(r"\s+", "", ARTICLE.read_text(encoding="utf-8"))
    lines = [text[i:i + CHARS_PER_LINE] for i in range(0, len(text), CHARS_PER_LINE)]
    return [lines[i * LINES_PER_PAGE:(i + 1) * LINES_PER_PAGE] for i in range(count)]


def scanned_pdf(pages: list[list[str]]) -> bytes:
    width, height = int(8.27 * DPI), int(11.69 * DPI)
    font = ImageFont.truetype(NOTO, round(12 / 72 * DPI), index=2)
    images = []
    for lines in pages:
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((DPI, DPI + i * round(20 / 72 * DPI)), line, font=font, fill=0)
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "ocr_speed.md")
    args = parser.parse_args()
    pages = pages_of_text(args.pages)
    data = scanned_pdf(pages)
    marks = [time.perf_counter()]
    doc = parse_document(data, "scan.pdf", lambda done, total: marks.append(time.perf_counter()))
    per_page = [b - a for a, b in zip(marks, marks[1:])]
    read = re.sub(r"\s+", "", doc.text)
    truth = "".join(line for lines in pages for line in lines)
    similarity = difflib.SequenceMatcher(None, read, truth, autojunk=False).ratio()
    lines = [
        f"{len(pages)} A4 pages of Chinese text ({sum(len(p) for p in pages)} lines, {len(truth)} characters), "
        f"scanned at {DPI} dpi, parsed with OCR by `parse_document`.", "",
        "| page | seconds |", "|---|---|",
        *(f"| {n} | {s:.1f} |" for n, s in enumerate(per_page, 1)),
        "", f"Mean {sum(per_page) / len(per_page):.1f} s per page (the first includes loading the models); "
        f"characters read correctly (similarity to the text set): {similarity:.1%}.",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
