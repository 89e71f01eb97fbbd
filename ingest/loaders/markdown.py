"""Markdown files: headings from the syntax tree, paragraphs, list items; tables as
self-describing rows (ingest/tables.py)."""

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..documents import Block
from ..encoding import decode_text
from ..tables import clean_cell, split_header, table_blocks, take_caption
from ..textclean import glue, is_residue, normalize_line


def load_markdown(data: bytes) -> list[Block]:
    tokens = MarkdownIt("commonmark").enable("table").parse(decode_text(data))
    blocks: list[Block] = []
    level, in_cell, row = 0, False, []
    grid: list[list[str]] = []
    tables = 0
    for token in tokens:
        kind = token.type
        if kind == "table_open":
            grid = []
        elif kind == "table_close":
            header, body = split_header(grid)
            tables += 1
            blocks.extend(table_blocks(header, body, take_caption(blocks), tables))
        elif kind == "heading_open":
            level = int(token.tag[1:])
        elif kind == "heading_close":
            level = 0
        elif kind in ("th_open", "td_open"):
            in_cell = True
        elif kind in ("th_close", "td_close"):
            in_cell = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            grid.append(row)
        elif kind == "inline":
            text = _plain(token)
            if in_cell:
                row.append(clean_cell(text))
            elif text and not is_residue(text):
                blocks.append(Block(text, heading_level=level))
        elif kind in ("fence", "code_block"):
            blocks.extend(Block(normalize_line(ln)) for ln in token.content.splitlines() if ln.strip())
    return blocks


def _plain(inline: Token) -> str:
    """The visible text of an inline token: markup dropped, wrapped lines glued."""
    lines = [""]
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            lines.append("")
        elif child.type in ("text", "code_inline"):
            lines[-1] += child.content
    text = ""
    for line in lines:
        text = glue(text, normalize_line(line))
    return text
