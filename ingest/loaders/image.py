"""Images of pages (.png, .jpg, .tif; a multi-page TIFF is one page per frame), read by OCR."""

import io
from collections.abc import Callable

from PIL import Image, ImageSequence, UnidentifiedImageError

from ..documents import Block
from ..errors import FileRejected
from ..layout import paragraphs
from ..ocr import OCR_OFF, recognise
from ..textclean import blocks_from_paragraphs, is_page_number


def load_image(data: bytes, *, ocr: bool = True, progress: Callable[[str], None] = lambda _: None
               ) -> list[Block]:
    """The text of each frame, read by OCR; each frame read is reported ("OCR page 2/3")."""
    if not ocr:
        raise FileRejected(f"an image needs OCR to be read, and {OCR_OFF}")
    try:
        image = Image.open(io.BytesIO(data))
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise FileRejected(f"unreadable image: {exc}") from exc
    pages = []
    for number, frame in enumerate(frames, 1):
        lines = [ln for ln in recognise(frame) if not is_page_number(ln.text)]
        pages.append((number, lines))
        progress(f"OCR page {number}/{len(frames)}")
    found = [(p.text, p.page) for p in paragraphs(pages)]
    if not found:
        raise FileRejected("no text found (OCR read nothing in the image)")
    return blocks_from_paragraphs(found, ocr=True)
