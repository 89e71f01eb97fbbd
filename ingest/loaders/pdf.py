"""PDF files: text layer page by page, with page numbers; encrypted and scanned files refused."""

import io
from collections.abc import Callable

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..documents import Block
from ..errors import FileRejected
from ..textclean import blocks_from_pages

_MIN_TEXT_CHARS = 20


def load_pdf(data: bytes, progress: Callable[[str], None] = lambda _: None) -> list[Block]:
    """Text blocks page by page; each page read is reported to `progress` ("page 3/12")."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRejected("encrypted PDF: a password is needed to read it")
        pages = []
        for number, page in enumerate(reader.pages, 1):
            pages.append(page.extract_text() or "")
            progress(f"page {number}/{len(reader.pages)}")
    except FileRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise FileRejected(f"corrupt PDF: {exc or type(exc).__name__}") from exc
    if not pages:
        raise FileRejected("corrupt PDF: no pages")
    blocks = blocks_from_pages(pages, from_pdf=True, first_page=1)
    if sum(len("".join(block.text.split())) for block in blocks) < _MIN_TEXT_CHARS:  # margins dropped
        raise FileRejected("no text layer; needs OCR (scanned PDF)")
    return blocks
