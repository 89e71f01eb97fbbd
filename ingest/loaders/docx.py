"""Word (.docx) files: paragraphs with their heading styles, and tables as self-describing rows.

A document without a title style opens with its title in large type, often over several lines
(黔东南苗族侗族自治州 / 2016年国民经济和社会发展统计公报): those lines, joined, are its title, as
with a PDF's large type.
"""

import io
import re
import zipfile

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ..documents import Block
from ..errors import FileRejected
from ..layout import TITLE_RATIO, predominant_size
from ..tables import clean_cell, split_header, table_blocks, take_caption
from ..textclean import glue, normalize_line

CHARACTER_PT = 10.5  # 五号, the body size of Chinese official documents
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
TITLE_MAX_LINES, TITLE_MAX_CHARS = 6, 80  # a title set over more lines than this is not one


def load_docx(data: bytes) -> list[Block]:
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FileRejected(f"corrupt Word file: {exc}") from exc
    items = list(document.iter_inner_content())
    title, start = _title(items, _default_size(document))
    blocks = [Block(title, heading_level=1)] if title else []
    tables = 0
    for item in items[start:]:
        if isinstance(item, Table):
            header, body = split_header(_grid(item))
            if header or body:
                tables += 1
                blocks.extend(table_blocks(header, body, take_caption(blocks), tables))
            continue
        text = _paragraph_text(item.text)
        if text:
            blocks.append(Block(text, heading_level=_level(_style(item))))
    return blocks


def _style(paragraph: Paragraph) -> str:
    return paragraph.style.name if paragraph.style else ""


def _default_size(document: Document) -> Pt | None:
    """The document's default font size (its docDefaults), which text of no other size is set in."""
    half_points = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:sz/@w:val")
    return Pt(int(half_points[0]) / 2) if half_points and half_points[0].isdigit() else None


def _size(paragraph: Paragraph, default: Pt | None) -> float:
    """The font size (pt) most of the paragraph's characters are set in, where Word records it
    (on the run, else on the paragraph's style or the styles it is based on, else the document's
    default); 0.0 if nowhere."""
    style, fallback = paragraph.style, None
    while style is not None and fallback is None:
        fallback = style.font.size
        style = style.base_style
    sizes = ((run.font.size or fallback or default, run.text.strip()) for run in paragraph.runs)
    return predominant_size((size.pt if size else None, text) for size, text in sizes)


def _title(items: list[Paragraph | Table], default: Pt | None) -> tuple[str, int]:
    """The document's opening lines set in title type (at least TITLE_RATIO times the body size),
    joined, and the index of the first item after them; ("", 0) when it opens otherwise (with a
    title or heading style, which the blocks carry, or with body text). The body size is read
    only when the document opens with a plain paragraph."""
    title, start, lines, body = "", 0, 0, None
    for index, item in enumerate(items):
        text = "" if isinstance(item, Table) else _paragraph_text(item.text)
        if isinstance(item, Paragraph) and not text:
            continue
        if isinstance(item, Table) or _level(_style(item)):
            break
        if body is None:
            paragraphs = (p for p in items if isinstance(p, Paragraph))
            body = predominant_size((_size(p, default), p.text.strip()) for p in paragraphs)
        if not (body and _size(item, default) >= TITLE_RATIO * body):
            break
        title, start, lines = glue(title, text), index + 1, lines + 1
    return (title, start) if lines <= TITLE_MAX_LINES and len(title) <= TITLE_MAX_CHARS else ("", 0)


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
