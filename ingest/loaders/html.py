"""HTML pages: scripts, navigation and page chrome removed; headings and blocks kept; data
tables (no table inside, two columns or more) as self-describing rows (ingest/tables.py)."""

import re

from bs4 import BeautifulSoup

from ..documents import Block
from ..encoding import decode_text
from ..tables import html_grid, split_header, table_blocks, take_caption
from ..textclean import is_residue, normalize_line

_DROP = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
         "svg", "button", "select", "template", "head"]
_BLOCKS = ["p", "div", "li", "tr", "br", "table", "section", "article", "ul", "ol", "dl", "dt",
           "dd", "blockquote", "pre", "main", "figure", "figcaption", "caption"]
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_MARK = "\x01"
_TABLE = "\x02"
_NEWLINES = re.compile(r"\s*\n\s*")


def load_html(data: bytes) -> tuple[list[Block], str | None]:
    """Blocks of the page, and its <title> (used when the page has no heading)."""
    soup = BeautifulSoup(decode_text(data), "html.parser")
    page_title = normalize_line(soup.title.get_text()) if soup.title else None
    for tag in soup(_DROP):
        tag.decompose()
    grids = []
    for table in soup("table"):
        if table.find("table") is None:
            grid = html_grid(table)
            if len(grid) >= 2 and max(len(row) for row in grid) >= 2:
                marker = soup.new_tag("p")
                marker.string = f"{_TABLE}{len(grids)}"
                table.replace_with(marker)
                grids.append(grid)
    for text_node in soup.find_all(string=True):
        if "\n" in text_node:
            text_node.replace_with(_NEWLINES.sub(" ", str(text_node)))
    for tag in soup(_HEADINGS):
        tag.insert(0, f"\n{_MARK}{tag.name[1]}{_MARK}")
        tag.append("\n")
    for tag in soup(_BLOCKS):
        tag.insert_before("\n")
        tag.append("\n")
    for cell in soup(["td", "th"]):
        cell.append(" ")
    blocks: list[Block] = []
    for raw in soup.get_text().split("\n"):
        if raw.strip().startswith(_TABLE):
            header, body = split_header(grids[int(raw.strip()[1:])])
            number = len({b.table for b in blocks if b.table}) + 1
            blocks.extend(table_blocks(header, body, take_caption(blocks), number))
            continue
        level = 0
        if raw.startswith(_MARK):
            level, raw = int(raw[1]), raw[3:]
        line = normalize_line(raw)  # residue is told by its words: drop CJK spaces after
        if line and not is_residue(line):
            blocks.append(Block(normalize_line(line, drop_cjk_spaces=True), heading_level=level))
    return blocks, page_title or None
