"""Lines placed on a page (a PDF's text layer or OCR boxes) joined into paragraphs by geometry.

A line continues into the next when it stops mid-clause (，、) or inside open brackets, or when
it runs (nearly) to the right edge of the text without ending a sentence and the next line is
not indented (Chinese paragraphs open with an indent); never into a new numbered item nor
across a change of font size (a heading and its body). Pages are joined the same way, so a paragraph broken by a page break
is one paragraph.
"""

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .textclean import CJK, glue, starts_new_item, unbalanced

_ENDS_CLAUSE = re.compile(r"[，、,]$")
_ENDS_SENTENCE = re.compile(r"[。！？；：!?;:…][\"'”’」』）)】》]*$")
_LAYOUT_SPACE = re.compile(  # not the space after a table's or figure's number (表5 主要产品)
    f"(?<=[{CJK}]) +(?=[0-9A-Za-z%])|(?<![表图]\\d)(?<![表图]\\d\\d)(?<=[0-9A-Za-z%]) +(?=[{CJK}])")
SIZE_TOLERANCE = 0.15  # relative font-size difference still read as the same text style
LONG_LINE = 0.8  # a line this share of the text's width, or more, is a wrapped one
TITLE_RATIO = 1.25  # a title's type is at least this much larger than the body's (18 pt over 14)


@dataclass(frozen=True)
class Line:
    """One line of text where it sits on its page, in points from the top left."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # font size (the box height for OCR lines)


@dataclass(frozen=True)
class Paragraph:
    text: str
    page: int
    size: float


def tidy(text: str) -> str:
    """Drop the spaces layout puts between CJK and Latin letters or digits (2016 年 → 2016年)."""
    return _LAYOUT_SPACE.sub("", text)


def paragraphs(pages: list[tuple[int, list[Line]]]) -> list[Paragraph]:
    """Lines of consecutive pages, given as (page number, lines in reading order), joined."""
    lines = [line for _, page_lines in pages for line in page_lines]
    if not lines:
        return []
    right = _quantile([ln.x1 for ln in lines], 0.9)
    left = _quantile([ln.x0 for ln in lines], 0.1)
    out: list[Paragraph] = []
    previous: Line | None = None
    for page, page_lines in pages:
        for index, line in enumerate(page_lines):
            same_page = index > 0
            if previous is not None and _continues(previous, line, left, right, same_page):
                last = out[-1]
                out[-1] = Paragraph(glue(last.text, line.text), last.page, last.size)
            else:
                out.append(Paragraph(line.text, page, line.size))
            previous = line
    return out


def _continues(prev: Line, line: Line, left: float, right: float, same_page: bool) -> bool:
    em = max(prev.size, 1.0)
    if abs(prev.size - line.size) > SIZE_TOLERANCE * max(prev.size, line.size):
        return False
    if starts_new_item(line.text):
        return False
    if same_page and line.top - prev.bottom > 1.5 * em:
        return False  # a blank line between them
    if _ENDS_CLAUSE.search(prev.text) or unbalanced(prev.text):
        return True
    if _ENDS_SENTENCE.search(prev.text) or line.x0 > left + 1.2 * em:
        return False  # a sentence ended, or the next line opens a paragraph
    return prev.x1 - left >= LONG_LINE * (right - left) - em


def _quantile(values: list[float], q: float) -> float:
    if len(values) < 4:
        return max(values) if q > 0.5 else min(values)
    return statistics.quantiles(values, n=20)[round(q * 20) - 1]


def predominant_size(sized: Iterable[tuple[float | None, str]]) -> float:
    """The font size most characters are set in, of (size, text) pieces (0.0 when no piece has a
    size and text)."""
    counts: Counter[float] = Counter()
    for size, text in sized:
        if size and text:
            counts[round(size, 1)] += len(text)
    return counts.most_common(1)[0][0] if counts else 0.0


def body_size(lines: list[Line]) -> float:
    """The font size most of the text is set in (weighted by characters)."""
    return predominant_size((ln.size, ln.text) for ln in lines)
