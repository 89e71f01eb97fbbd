"""A PDF table that runs over pages, read as one table.

A word processor printing a long table breaks it at the foot of a page and carries on at the
top of the next: the header row is repeated, a row may break in two (the rest of its wrapped
cells at the top of the next page), and a cell merged down several rows is cut in two (its
text on the first page only). A part may even be the header alone, the body all on the next
page. The parts are joined before the header is told from the body, so that every row keeps
the table's caption and column names.
"""

from dataclasses import dataclass, field, replace

from ..documents import Block
from ..tables import MAX_HEADER_ROWS, indexed_split, table_blocks
from ..textclean import glue


@dataclass
class SpanningTable:
    """The rows read so far, each with its page."""

    caption: str
    number: int
    ocr: bool = False  # read by OCR from a page image
    rows: list[list[str]] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def add(self, grid: list[list[str]], origin: list[list[tuple[int, int]]], page: int) -> None:
        """The next part (a page's grid and the cell covering each position)."""
        start = 0
        if self.rows:
            repeated = self.rows[:MAX_HEADER_ROWS]
            while start < len(grid) and grid[start] in repeated:
                start += 1
        grid = [list(row) for row in grid]
        last = self.rows[-1] if self.rows else None
        if last is not None and start < len(grid):
            broken = _broken_row(last, grid[start])
            _fill_cut_cells(last, grid, origin, start)
            if broken:
                for c in broken:
                    last[c] = glue(last[c], broken[c])
                start += 1
        self.rows.extend(grid[start:])
        self.pages.extend([page] * (len(grid) - start))

    def blocks(self) -> list[Block]:
        header, body = indexed_split(self.rows)
        blocks = table_blocks(header, [row for _, row in body], self.caption, self.number,
                              [self.pages[i] for i, _ in body])
        return [replace(block, ocr=True) for block in blocks] if self.ocr else blocks


def _broken_row(last: list[str], first: list[str]) -> dict[int, str]:
    """The cells of `first` that carry on those of `last`, when `first` is the rest of a row
    broken by the page end: its label cell empty, at most half as many cells filled, and
    only under filled cells of `last`. Empty when `first` is a row of its own."""
    filled = {c: text for c, text in enumerate(first) if text}
    if not filled or first[0] or 2 * len(filled) > sum(1 for text in last if text):
        return {}
    return filled if all(last[c] for c in filled) else {}


def _fill_cut_cells(last: list[str], grid: list[list[str]], origin: list[list[tuple[int, int]]],
                    start: int) -> None:
    """An empty cell opening the part and merged down over the rows below it is the rest of a
    cell the page end cut: it takes the text above the cut, at every position it covers."""
    for c, text in enumerate(grid[start]):
        cell = origin[start][c]
        below = [r for r in range(start + 1, len(grid)) if origin[r][c] == cell]
        if text or not below or not last[c]:
            continue
        for r in (start, *below):
            grid[r][c] = last[c]
