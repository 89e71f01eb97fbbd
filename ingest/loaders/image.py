"""Images of pages (.png, .jpg, .tif; a multi-page TIFF is one page per frame), read by OCR,
their tables as tables."""

import io
from collections.abc import Callable

from PIL import Image, ImageSequence, UnidentifiedImageError

from ..documents import Block
from ..errors import FileRejected
from ..ocr import OCR_OFF
from .pages import page_blocks, recognised


def load_image(data: bytes, *, ocr: bool = True, progress: Callable[[str], None] = lambda _: None
               ) -> list[Block]:
    """The text and tables of each frame, read by OCR; each frame read is reported ("OCR page 2/3")."""
    if not ocr:
        raise FileRejected(f"an image needs OCR to be read, and {OCR_OFF}")
    try:
        image = Image.open(io.BytesIO(data))
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise FileRejected(f"unreadable image: {exc}") from exc
    pages = []
    for number, frame in enumerate(frames, 1):
        pages.append(recognised(number, frame))
        progress(f"OCR page {number}/{len(frames)}")
    blocks = page_blocks(pages, None, title_in_text=True)
    if not blocks:
        raise FileRejected("no text found (OCR read nothing in the image)")
    return blocks
