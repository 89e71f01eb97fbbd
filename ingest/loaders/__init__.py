"""Read a file into a Document: format by extension, then one assembly for all formats."""

import errno
import hashlib
from pathlib import Path

from ..documents import Block, Document, Span
from ..errors import FileRejected
from ..ocr import Progress
from .docx import load_docx
from .html import load_html
from .image import load_image
from .legacy_word import load_legacy_word
from .markdown import load_markdown
from .pdf import load_pdf
from .spreadsheet import load_spreadsheet
from .text import load_text

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".csv")
LEGACY_WORD_SUFFIXES = (".doc", ".wps")
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx",
                      *LEGACY_WORD_SUFFIXES, *SPREADSHEET_SUFFIXES, *IMAGE_SUFFIXES)


def read_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, or FileRejected naming why they cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kind = suffix or "(no extension)"
        raise FileRejected(f"unsupported file type {kind} (supported: {' '.join(SUPPORTED_SUFFIXES)})")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileRejected(
                f"file too large: {size / 2**20:.1f} MB over the {max_bytes / 2**20:g} MB limit "
                "(COUNTY_RAG_MAX_FILE_MB)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FileRejected(_os_reason(exc)) from exc
    if not data.strip():
        raise FileRejected("empty file")
    return data


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, PermissionError):
        return "unreadable: permission denied"
    if isinstance(exc, IsADirectoryError):
        return "unreadable: is a directory"
    return f"unreadable: {exc.strerror or exc}"


def parse_document(
    data: bytes, source: str, progress: Progress | None = None, *, ocr: bool = True
) -> Document:
    """Parse bytes read from `source` (a relative path) into a Document. `progress` hears of
    pages OCR'd; with `ocr` off, pages and images without a text layer are not read."""
    suffix = Path(source).suffix.lower()
    page_title = title = None
    if suffix == ".pdf":
        blocks, title = load_pdf(data, ocr=ocr, progress=progress)
        title = title or Path(source).stem
    elif suffix == ".docx":
        blocks = load_docx(data)
    elif suffix in LEGACY_WORD_SUFFIXES:
        blocks = load_legacy_word(data, suffix)
    elif suffix in SPREADSHEET_SUFFIXES:
        blocks = load_spreadsheet(data, suffix)
    elif suffix in IMAGE_SUFFIXES:
        blocks = load_image(data, ocr=ocr, progress=progress)
    elif suffix in (".html", ".htm"):
        blocks, page_title = load_html(data)
    elif suffix in (".md", ".markdown"):
        blocks = load_markdown(data)
    else:
        blocks = load_text(data)
    if not blocks:
        raise FileRejected("no text found")
    return assemble(blocks, source, hashlib.sha256(data).hexdigest(), suffix.lstrip("."), page_title, title)


def assemble(
    blocks: list[Block], source: str, sha256: str, file_type: str, page_title: str | None = None,
    title: str | None = None,
) -> Document:
    """Join blocks into the document text. The title is `title` when the loader knows it, else
    the first block if a heading, else the page title, else the file name."""
    if title is None:
        title = Path(source).stem
        if blocks[0].heading_level:
            title = blocks[0].text
        elif page_title:
            title = page_title
    parts: list[str] = []
    spans: list[Span] = []
    stack: list[tuple[int, str]] = []
    offset = 0
    for index, block in enumerate(blocks):
        is_title = index == 0 and block.heading_level > 0 and block.text == title
        if block.heading_level and not is_title:
            while stack and stack[-1][0] >= block.heading_level:
                stack.pop()
            stack.append((block.heading_level, block.text))
        path = tuple(text for _, text in stack)
        spans.append(Span(offset, offset + len(block.text), block.page, path, block.heading_level > 0,
                          block.table, block.ocr))
        parts.append(block.text)
        offset += len(block.text) + 1
    return Document(
        source, title, "\n".join(parts), spans, sha256, file_type,
        pages=max((b.page or 0 for b in blocks), default=0),
        tables=len({b.table for b in blocks if b.table}),
        ocr_pages=len({b.page for b in blocks if b.ocr}),
    )
