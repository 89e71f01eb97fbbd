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
from .markdown import load_markdown
from .pdf import load_pdf
from .text import load_text

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")

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


def parse_document(data: bytes, source: str, progress: Callable[[str], None] | None = None) -> Document:
    """Parse bytes read from `source` (a relative path) into a Document. Loaders that work page
    by page report each page to `progress`. Whatever a loader raises becomes a FileRejected
    with a one-line reason: a bad file never stops the files after it."""
    suffix = Path(source).suffix.lower()
    try:
        blocks, page_title = _load(data, suffix, progress or (lambda _: None))
    except FileRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is this file's reason
        raise unexpected(exc, f"cannot read this {suffix.lstrip('.') or 'text'} file") from exc
    if not blocks:
        raise FileRejected("no text found")
    return assemble(blocks, source, hashlib.sha256(data).hexdigest(), suffix.lstrip("."), page_title)


def _load(data: bytes, suffix: str, progress: Callable[[str], None]) -> tuple[list[Block], str | None]:
    """The loader of a file type: blocks, and the page title where the format has one."""
    if suffix == ".pdf":
        return load_pdf(data, progress), None
    if suffix == ".docx":
        return load_docx(data), None
    if suffix in (".html", ".htm"):
        return load_html(data)
    if suffix in (".md", ".markdown"):
        return load_markdown(data), None
    return load_text(data), None


def assemble(
    blocks: list[Block], source: str, sha256: str, file_type: str, page_title: str | None = None
) -> Document:
    """Join blocks into the document text; the first block, if a heading, is its title."""
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
        is_title = index == 0 and block.heading_level > 0
        if block.heading_level and not is_title:
            while stack and stack[-1][0] >= block.heading_level:
                stack.pop()
            stack.append((block.heading_level, block.text))
        path = tuple(text for _, text in stack)
        spans.append(Span(offset, offset + len(block.text), block.page, path, block.heading_level > 0))
        parts.append(block.text)
        offset += len(block.text) + 1
    return Document(source, title, "\n".join(parts), spans, sha256, file_type)
