"""Plain text files: encoding detection, then line clean-up into paragraphs."""

from ..documents import Block
from ..encoding import decode_text
from ..textclean import blocks_from_pages


def load_text(data: bytes) -> list[Block]:
    """Form feeds, as pdftotext writes them, separate pages; otherwise the text has no pages."""
    pages = decode_text(data).split("\f")
    paged = len(pages) > 1
    return blocks_from_pages(pages, from_pdf=False, first_page=1 if paged else None)
