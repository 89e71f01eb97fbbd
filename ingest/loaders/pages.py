"""Pages of lines and tables (a PDF's text layer, or what OCR read on a page image), turned
into blocks in reading order: prose runs across pages until a table, and a table at the top of
a page, as wide as the one that ended the page before, goes on with it (continued.py)."""

from dataclasses import dataclass, field

from ..documents import Block
from ..layout import Line, paragraphs
from ..ocr import recognise
from ..tables import take_caption
from ..textclean import blocks_from_paragraphs, is_page_number
from .continued import SpanningTable


@dataclass
class PageTable:
    top: float
    grid: list[list[str]]
    origin: list[list[tuple[int, int]]]  # per position, the (row, column) of the cell covering it

    @classmethod
    def unmerged(cls, top: float, grid: list[list[str]]) -> "PageTable":
        """A table whose every position is a cell of its own (merged cells repeat their text)."""
        return cls(top, grid, [[(r, c) for c in range(len(row))] for r, row in enumerate(grid)])


@dataclass
class Page:
    number: int
    lines: list[Line]
    tables: list[PageTable] = field(default_factory=list)
    scanned: bool = False
    ocr: bool = False


def recognised(number: int, image, dpi: float = 72.0) -> Page:
    """Page `number` read by OCR from its image: its lines (page numbers dropped) and tables."""
    lines, tables = recognise(image, dpi)
    return Page(number, [ln for ln in lines if not is_page_number(ln.text)],
                [PageTable.unmerged(top, grid) for top, grid in tables], scanned=True, ocr=True)


def page_blocks(pages: list[Page], title: str | None, *, title_in_text: bool = False) -> list[Block]:
    """Prose and table blocks in reading order (see the module's docstring), after the title if
    one is known; with `title_in_text`, the text's first paragraph may be the title (a page
    image has no type sizes to tell it by)."""
    blocks = [Block(title, page=1, heading_level=1)] if title else []
    run: list[tuple[int, list[Line]]] = []
    run_ocr = False
    tables = 0
    table: SpanningTable | None = None  # the table being read: it may go on over the page

    def flush() -> None:
        blocks.extend(blocks_from_paragraphs([(p.text, p.page) for p in paragraphs(run)],
                                             find_title=title_in_text and not blocks, ocr=run_ocr))
        run.clear()

    def end_table() -> None:
        nonlocal table
        if table:
            blocks.extend(table.blocks())
            table = None

    for page in pages:
        items = sorted([(ln.top, 0, ln) for ln in page.lines] + [(t.top, 1, t) for t in page.tables],
                       key=lambda item: (item[0], item[1]))
        for index, (_, is_table, item) in enumerate(items):
            if not is_table:
                end_table()
                if run_ocr != page.ocr and run:
                    flush()
                run_ocr = page.ocr
                if not run or run[-1][0] != page.number:
                    run.append((page.number, []))
                run[-1][1].append(item)
                continue
            flush()
            if not (table and index == 0 and len(item.grid[0]) == table.width):
                end_table()
                tables += 1
                table = SpanningTable(take_caption(blocks), tables, page.ocr)
            table.add(item.grid, item.origin, page.number)
    end_table()
    flush()
    return blocks
