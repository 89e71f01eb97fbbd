"""Word (.docx) files: paragraphs with their heading styles, and tables as self-describing rows."""

import io
import re
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Pt
from docx.table import Table, _Cell

from ..documents import Block
from ..errors import FileRejected
from ..tables import clean_cell, split_header, table_blocks, take_caption
from ..textclean import glue, normalize_line

CHARACTER_PT = 10.5  # 五号, the body size of Chinese official documents
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def load_docx(data: bytes) -> list[Block]:
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FileRejected(f"corrupt Word file: {exc}") from exc
    blocks: list[Block] = []
    tables = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            header, body = split_header(_grid(item))
            if header or body:
                tables += 1
                blocks.extend(table_blocks(header, body, take_caption(blocks), tables))
            continue
        text = _paragraph_text(item.text)
        if text:
            blocks.append(Block(text, heading_level=_level(item.style.name if item.style else "")))
    return blocks


def _level(style: str) -> int:
    if style.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(style.strip())
    return min(int(match.group(1)), 6) if match else 0


def _paragraph_text(raw: str) -> str:
    text = ""
    for line in raw.splitlines():
        text = glue(text, normalize_line(line))
    return text


def _grid(table: Table) -> list[list[str]]:
    """Cell texts row by row, the first with its indentation; python-docx repeats a merged cell
    in every position it covers."""
    return [[clean_cell(cell.text, _indent(cell) if i == 0 else None) for i, cell in enumerate(row.cells)]
            for row in table.rows]


def _indent(cell: _Cell) -> int:
    """A cell's indentation in characters (of a 10.5 pt body font), from its first paragraph."""
    if not cell.paragraphs:
        return 0
    form = cell.paragraphs[0].paragraph_format
    emu = (form.left_indent or 0) + (form.first_line_indent or 0)
    return max(0, round(emu / Pt(CHARACTER_PT)))
