"""PDF files (pdfplumber): text by layout, tables as rows, scanned pages by OCR, page numbers kept.

- Ruled tables are found on each page (pdfplumber's finder; the choice is measured in
  benchmarks/results/pdf_tables.md) and become self-describing rows; a table running over a
  page end is read as one (ingest/loaders/continued.py). Their text is left out of the prose.
- Lines are joined into paragraphs by where they sit (ingest/layout.py); running headers,
  footers and page numbers are dropped.
- The title is the large type at the top of page 1; when there is none (a title drawn as
  outlines), the file name stands in.
- A page with no text layer but an image is OCR'd, when OCR is on, its tables read as tables
  (ingest/scan_tables.py); a mixed PDF keeps its text pages as they are.
"""

import io
import statistics
from collections.abc import Callable

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from ..documents import Block
from ..errors import FileRejected
from ..layout import TITLE_RATIO, Line, body_size, tidy
from ..ocr import OCR_DPI, OCR_OFF
from ..tables import clean_cell
from ..textclean import is_page_number, is_residue, margin_lines, normalize_line
from .pages import Page, PageTable, page_blocks, recognised

MIN_PAGE_CHARS = 10  # a page with fewer characters of text is read as scanned


def load_pdf(data: bytes, *, ocr: bool = True, progress: Callable[[str], None] = lambda _: None
             ) -> tuple[list[Block], str | None]:
    """Blocks of the PDF, and its title when the type shows one (else None: use the file name).
    Each page read is reported to `progress` ("page 3/12"), then each page OCR'd ("OCR page 1/4")."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = []
            for number, page in enumerate(pdf.pages, 1):
                pages.append(_read(page, number))
                progress(f"page {number}/{len(pdf.pages)}")
            if not pages:
                raise FileRejected("corrupt PDF: no pages")
            _strip_margins(pages)
            if ocr:
                _recognise(pdf, pages, progress)
    except FileRejected:
        raise
    except (PdfminerException, MalformedPDFException) as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise FileRejected("encrypted PDF: a password is needed to read it") from exc
        raise FileRejected(f"corrupt PDF: {cause or type(cause).__name__}") from exc
    except (PSException, ValueError, KeyError, TypeError, AttributeError, OSError, AssertionError) as exc:
        raise FileRejected(f"corrupt PDF: {exc or type(exc).__name__}") from exc
    if all(p.scanned and not p.ocr for p in pages):
        reason = "no text layer; needs OCR (scanned PDF)"
        raise FileRejected(reason if ocr else f"{reason}, and {OCR_OFF}")
    title = _take_title(pages[0])
    blocks = page_blocks(pages, title)
    if not blocks:
        raise FileRejected("no text found (scanned PDF: OCR read nothing)")
    return blocks, title


def _read(page, number: int) -> Page:
    tables = [t for t in page.find_tables() if len(t.columns) >= 2]
    text_page = page
    for table in tables:
        text_page = text_page.outside_bbox(table.bbox)
    lines = []
    for raw in text_page.extract_text_lines(return_chars=True, strip=True):
        text = normalize_line(raw["text"])
        if text and not is_residue(text):
            size = statistics.median(c["size"] for c in raw["chars"]) if raw["chars"] else 0.0
            lines.append(Line(tidy(normalize_line(text, drop_cjk_spaces=True)), raw["x0"], raw["x1"],
                              raw["top"], raw["bottom"], size))
    grids = [PageTable(t.bbox[1], *_grid(t)) for t in tables]
    content = sum(len(ln.text) for ln in lines if not is_page_number(ln.text))
    scanned = content < MIN_PAGE_CHARS and not grids and bool(page.images)
    return Page(number, lines, [g for g in grids if any(any(r) for r in g.grid)], scanned)


def _grid(table) -> tuple[list[list[str]], list[list[tuple[int, int]]]]:
    """Cell texts, and the cell covering each position; a merged cell (None in pdfplumber) takes
    the text of the cell covering it."""
    texts = table.extract()
    covering = [(cell, texts[r][c], (r, c)) for r, row in enumerate(table.rows)
                for c, cell in enumerate(row.cells) if cell is not None]
    grid, origin = [], []
    for r, row in enumerate(table.rows):
        out, where = [], []
        for c, cell in enumerate(row.cells):
            text, at = texts[r][c], (r, c)
            if cell is None:
                x = _middle(table.columns[c].bbox, 0)
                y = _middle(row.bbox, 1)
                text, at = next(((t, a) for (x0, y0, x1, y1), t, a in covering
                                 if x0 <= x <= x1 and y0 <= y <= y1), ("", at))
            out.append(clean_cell(text))
            where.append(at)
        grid.append(out)
        origin.append(where)
    return grid, origin


def _middle(bbox: tuple[float, float, float, float], axis: int) -> float:
    return (bbox[axis] + bbox[axis + 2]) / 2


def _strip_margins(pages: list[Page]) -> None:
    dropped = margin_lines([[ln.text for ln in p.lines] for p in pages])
    for page, drop in zip(pages, dropped):
        page.lines = [ln for i, ln in enumerate(page.lines) if i not in drop]


def _recognise(pdf, pages: list[Page], progress: Callable[[str], None]) -> None:
    """OCR the scanned pages, one by one, reporting progress after each."""
    scanned = [i for i, page in enumerate(pages) if page.scanned]
    for done, i in enumerate(scanned, 1):
        image = pdf.pages[i].to_image(resolution=OCR_DPI).original
        pages[i] = recognised(pages[i].number, image, OCR_DPI)
        progress(f"OCR page {done}/{len(scanned)}")


def _take_title(first: Page) -> str | None:
    """The lines set in large type at the top of page 1, joined; removed from the page."""
    if not first.lines or first.ocr:
        return None
    body = body_size(first.lines)
    top = [ln for ln in first.lines if ln.top < first.lines[0].top + 200]
    big = [ln for ln in top if ln.size >= TITLE_RATIO * body]
    if not big:
        return None
    start = first.lines.index(big[0])
    end = start
    while end < len(first.lines) and first.lines[end].size >= TITLE_RATIO * body:
        end += 1
    title = "".join(ln.text for ln in first.lines[start:end])
    first.lines = first.lines[:start] + first.lines[end:]
    return title
