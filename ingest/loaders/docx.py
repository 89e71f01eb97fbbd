"""Word (.docx) files: paragraphs with their heading styles, and tables row by row."""

import io
import re
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from ..documents import Block
from ..errors import FileRejected
from ..textclean import glue, normalize_line

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def load_docx(data: bytes) -> list[Block]:
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FileRejected(f"corrupt Word file: {exc}") from exc
    blocks = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_rows(item))
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


def _table_rows(table: Table) -> list[Block]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = _paragraph_text(cell.text)
            if text and (not cells or cells[-1] != text):  # merged cells repeat
                cells.append(text)
        if cells:
            rows.append(Block(" | ".join(cells)))
    return rows
