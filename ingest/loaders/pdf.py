"""PDF files: text layer page by page, with page numbers; encrypted and scanned files refused."""

import io

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..documents import Block
from ..errors import FileRejected
from ..textclean import blocks_from_pages

_MIN_TEXT_CHARS = 20


def load_pdf(data: bytes) -> list[Block]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRejected("encrypted PDF: a password is needed to read it")
        pages = [page.extract_text() or "" for page in reader.pages]
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
