"""Read a file into a Document: format by extension, then one assembly for all formats."""

import errno
import hashlib
from collections.abc import Callable
from pathlib import Path

from ..documents import Block, Document, Span
from ..errors import FileRejected, unexpected
from .archive import check_unpacked
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

__all__ = ["SUPPORTED_SUFFIXES", "assemble", "check_unpacked", "parse_document", "read_file"]


def read_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, or FileRejected naming why they cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kind = suffix or "(no extension)"
        raise FileRejected(f"unsupported file type {kind} (supported: {' '.join(SUPPORTED_SUFFIXES)})",
                           kind="unsupported", suffix=kind)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            mb, limit_mb = size / 2**20, max_bytes / 2**20
            raise FileRejected(
                f"file too large: {mb:.1f} MB over the {limit_mb:g} MB limit (COUNTY_RAG_MAX_FILE_MB)",
                kind="too_large", size_mb=round(mb, 1), limit_mb=limit_mb,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FileRejected(_os_reason(exc)) from exc
    if not data.strip():
        raise FileRejected("empty file", kind="empty")
    return data


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, PermissionError):
        return "unreadable: permission denied"
    if isinstance(exc, IsADirectoryError):
        return "unreadable: is a directory"
    return f"unreadable: {exc.strerror or exc}"


def parse_document(data: bytes, source: str, progress: Callable[[str], None] | None = None, *,
                   ocr: bool = True) -> Document:
    """Parse bytes read from `source` (a relative path) into a Document. Loaders that work page
    by page report each page to `progress` ("page 3/12", "OCR page 2/4"); with `ocr` off, pages
    and images without a text layer are not read. Whatever a loader raises becomes a
    FileRejected with a one-line reason: a bad file never stops the files after it."""
    suffix = Path(source).suffix.lower()
    try:
        blocks, page_title, title = _load(data, suffix, progress or (lambda _: None), ocr)
    except FileRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is this file's reason
        raise unexpected(exc, f"cannot read this {suffix.lstrip('.') or 'text'} file") from exc
    if suffix == ".pdf":
        title = title or Path(source).stem
    if not blocks:
        raise FileRejected("no text found")
    return assemble(blocks, source, hashlib.sha256(data).hexdigest(), suffix.lstrip("."), page_title, title)


def _load(data: bytes, suffix: str, progress: Callable[[str], None], ocr: bool
          ) -> tuple[list[Block], str | None, str | None]:
    """The loader of a file type: blocks, the page title where the format has one, and the
    title where the loader can tell it (a PDF's large type)."""
    if suffix == ".pdf":
        blocks, title = load_pdf(data, ocr=ocr, progress=progress)
        return blocks, None, title
    if suffix == ".docx":
        return load_docx(data), None, None
    if suffix in LEGACY_WORD_SUFFIXES:
        return load_legacy_word(data, suffix), None, None
    if suffix in SPREADSHEET_SUFFIXES:
        return load_spreadsheet(data, suffix), None, None
    if suffix in IMAGE_SUFFIXES:
        return load_image(data, ocr=ocr, progress=progress), None, None
    if suffix in (".html", ".htm"):
        return (*load_html(data), None)
    if suffix in (".md", ".markdown"):
        return load_markdown(data), None, None
    return load_text(data), None, None


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
