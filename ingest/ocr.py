"""Offline OCR of page images: RapidOCR with the PP-OCRv4 Chinese models its wheel ships, and
the tables on the page read as tables (ingest/scan_tables.py).

The engine is loaded once per process, on first use (never at import): the RapidOCR engine
RapidTable builds for itself, so that one is loaded, not two. Recognised boxes are
grouped into lines (boxes that share a band of the page) and placed in points, like a PDF's
text layer, so the same paragraph joining applies to both.
"""

from typing import TYPE_CHECKING

from .errors import FileRejected
from .layout import Line, tidy
from .scan_tables import inside, read_table, table_reader, table_regions
from .textclean import normalize_line

if TYPE_CHECKING:
    from PIL import Image

OCR_DPI = 200  # resolution scanned PDF pages are rendered at
MIN_CONFIDENCE = 0.5
OCR_OFF = "OCR is off (COUNTY_RAG_OCR=false)"


def recognise(image: "Image.Image", dpi: float = 72.0) -> tuple[list[Line], list[tuple[float, list[list[str]]]]]:
    """The text lines of a page image, top to bottom, and its tables (top, cell texts row by
    row: ingest/scan_tables.py), in points (`dpi` = pixels per inch). A table's text is not in
    the lines."""
    import numpy as np

    pixels = np.asarray(image.convert("RGB"))
    scale = 72.0 / dpi
    try:
        found = [(points, text, float(score)) for points, text, score in table_reader().ocr_engine(pixels)[0] or []
                 if float(score) >= MIN_CONFIDENCE]
        tables = []
        for region in table_regions(pixels):
            grid = read_table(pixels, region, found)
            if grid and max(len(row) for row in grid) >= 2:  # a header alone may go on overleaf
                tables.append((region[1] * scale, grid))
                found = [box for box in found if not inside(box, region)]
    except Exception as exc:  # the engines' own errors carry no common type
        raise FileRejected(f"OCR failed: {exc}") from exc
    boxes = []
    for points, text, _ in found:
        text = tidy(normalize_line(text, drop_cjk_spaces=True))
        if text:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            boxes.append((min(ys) * scale, max(ys) * scale, min(xs) * scale, max(xs) * scale, text))
    return _lines(sorted(boxes)), tables


def _lines(boxes: list[tuple[float, float, float, float, str]]) -> list[Line]:
    """Boxes sharing most of a band of the page are one line, read left to right."""
    groups: list[list[tuple[float, float, float, float, str]]] = []
    for box in boxes:
        top, bottom = box[0], box[1]
        if groups:
            g_top = min(b[0] for b in groups[-1])
            g_bottom = max(b[1] for b in groups[-1])
            overlap = min(bottom, g_bottom) - max(top, g_top)
            if overlap > 0.5 * min(bottom - top, g_bottom - g_top):
                groups[-1].append(box)
                continue
        groups.append([box])
    lines = []
    for group in groups:
        group.sort(key=lambda b: b[2])
        text = ""
        for box in group:
            text = f"{text} {box[4]}" if text else box[4]
        top, bottom = min(b[0] for b in group), max(b[1] for b in group)
        lines.append(Line(tidy(normalize_line(text, drop_cjk_spaces=True)), group[0][2],
                          group[-1][3], top, bottom, bottom - top))
    return lines
