"""Clean text laid out in lines (plain text, PDF pages) into paragraphs and headings.

Chinese first: lines wrapped inside a sentence are joined without a space; web-page residue
(下载, 打印, 【字号：…】) and repeated page headers, footers and page numbers are dropped.
"""

import re
import statistics
from collections import Counter

from .documents import Block

HAN = r"\u3400-\u9fff"  # Chinese characters (CJK unified ideographs and extension A)
_CJK_MARKS = r"\u3000-\u303f\uff00-\uffef"  # CJK punctuation, full-width forms
CJK = HAN + r"\uf900-\ufaff" + _CJK_MARKS
_CJK_CHAR = re.compile(f"[{CJK}]")
_CONTENT = re.compile(r"[^\W_]")  # a letter, digit or ideograph
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200b\u3000]+")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{HAN}{_CJK_MARKS}]) +(?=[{HAN}{_CJK_MARKS}])")
_ENDS_SENTENCE = re.compile(r"[。！？；：!?;:…][\"'”’」』）)】》]*$")
_ENDS_CLAUSE = re.compile(r"[，、,]$")
_PAGE_NUMBER = re.compile(
    r"^[-—–·\s]*(?:第\s*)?\d{1,4}\s*页?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–·\s]*$"
    r"|^(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_NUMBERED_HEADINGS = (
    (re.compile(r"^第[一二三四五六七八九十百零〇两\d]+[章编篇部]"), 1),
    (re.compile(r"^第[一二三四五六七八九十百零〇两\d]+节"), 2),
    (re.compile(r"^[一二三四五六七八九十]+、"), 2),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), 3),
    (re.compile(r"^\d{1,2}[、．.](?!\d)"), 4),
    (re.compile(r"^[（(]\d{1,2}[）)]"), 5),
)
_UI_WORDS = frozenset(
    "下载 打印 全屏 收藏 分享 分享到 关闭 关闭窗口 打印本页 打印此页 字号 字体 加大 还原 减小 默认 "
    "大 中 小 返回 返回顶部 顶部 扫一扫 微信 微博 qq空间 保存 纠错 我要纠错 上一篇 下一篇 浏览次数 "
    "点击数 复制链接 在手机上查看 手机版 无障碍 繁体 简体 english 首页 网站地图 登录 注册 搜索".split()
)
_NUMBER_TAIL = re.compile(r"[.,:%]\d|%")
_LEAD_TITLE = re.compile(r"^([^。！？；，,、\s][^。！？；，,]{4,58}?[^。！？；，,：:\s])\s+(?=\S)")
_LEAD_TITLE_MIN_PARAGRAPH = 80
_UI_SPLIT = re.compile(r"[\s:：|｜/【】\[\]（）()·•,，]+")
_PLAIN_HEADING_MAX = 25
_NUMBERED_HEADING_MAX = 40
_OPENERS_CLOSERS = (("“", "”"), ("（", "）"), ("(", ")"), ("《", "》"), ("「", "」"))


def normalize_line(line: str, *, drop_cjk_spaces: bool = False) -> str:
    """Collapse runs of white space; optionally drop layout spaces between CJK characters."""
    line = _SPACES.sub(" ", line).strip()
    if drop_cjk_spaces:
        line = _SPACE_BETWEEN_CJK.sub("", line)
    return line


def is_residue(line: str) -> bool:
    """True for lines with no content, or only web-page controls such as 下载 打印 【字号：大 中 小】."""
    if not _CONTENT.search(line):
        return True
    words = [w for w in _UI_SPLIT.split(line.lower()) if w]
    return bool(words) and all(w in _UI_WORDS for w in words)


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


def strip_page_margins(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and the header/footer lines repeated at the top or bottom of pages."""
    dropped = margin_lines(pages)
    return [[line for i, line in enumerate(lines) if i not in drop] for lines, drop in zip(pages, dropped)]


def margin_lines(pages: list[list[str]]) -> list[set[int]]:
    """Per page, the indices of its page numbers and of the header/footer lines repeated at the
    top or bottom (first or last two lines) of most pages."""
    def edges(lines: list[str]) -> set[int]:
        filled = [i for i, line in enumerate(lines) if line]
        return set(filled[:2] + filled[-2:])

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line)

    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({key(lines[i]) for i in edges(lines)})
    threshold = max(2, 0.6 * len(pages))
    repeated = {k for k, n in seen.items() if n >= threshold} if len(pages) >= 2 else set()
    return [
        {i for i in edges(lines) if is_page_number(lines[i]) or key(lines[i]) in repeated}
        for lines in pages
    ]


def heading_level(line: str) -> int:
    """Guess whether a stand-alone line is a heading (1..6) or body text (0)."""
    if _ENDS_SENTENCE.search(line) or _ENDS_CLAUSE.search(line) or "。" in line:
        return 0
    for pattern, level in _NUMBERED_HEADINGS:
        if pattern.match(line):
            return level if len(line) <= _NUMBERED_HEADING_MAX else 0
    if len(line) <= _PLAIN_HEADING_MAX and "：" not in line and ":" not in line:
        return 2
    return 0


def glue(left: str, right: str) -> str:
    """Join two pieces of one sentence: no space next to CJK, one space between Latin words."""
    if not left or not right:
        return left + right
    if _CJK_CHAR.match(left[-1]) or _CJK_CHAR.match(right[0]):
        return left + right
    if left[-1].isdigit() and _NUMBER_TAIL.match(right):  # 12 | .5亿元
        return left + right
    if left.endswith("-") and left[-2:-1].isalpha() and right[0].islower():
        return left[:-1] + right
    return f"{left} {right}"


def unbalanced(line: str) -> bool:
    return any(line.count(a) > line.count(b) for a, b in _OPENERS_CLOSERS)


def starts_new_item(line: str) -> bool:
    return any(pattern.match(line) for pattern, _ in _NUMBERED_HEADINGS)


def paragraphs_from_lines(pages: list[list[str]]) -> list[tuple[str, int]]:
    """Join wrapped lines into paragraphs; returns (paragraph, index of the page it starts on).

    Empty strings in a page's lines mark blank lines. A line is continued by the next when it does
    not end a sentence and is either cut mid-clause, inside open quotes or brackets, or as long as
    the document's wrapped lines (so short headings and captions stay on their own). Across a
    blank line, "as long as a wrapped line" means at least 60 characters.
    """
    lengths = [len(line) for lines in pages for line in lines if line]
    wrap = statistics.quantiles(lengths, n=10)[-1] if len(lengths) >= 10 else max(lengths, default=0)
    long_line = min(60.0, 0.8 * wrap) if wrap else 60.0
    out: list[tuple[str, int]] = []
    current, start_page, blank = "", 0, False
    for page_no, lines in enumerate(pages):
        for line in lines:
            if not line:
                blank = True
                continue
            needed = 60.0 if blank else long_line
            blank = False
            joinable = (
                current
                and not _ENDS_SENTENCE.search(current)
                and not starts_new_item(line)
                and (_ENDS_CLAUSE.search(current) or unbalanced(current) or len(current) >= needed)
            )
            if joinable:
                current = glue(current, line)
                continue
            if current:
                out.append((current, start_page))
            current, start_page = line, page_no
    if current:
        out.append((current, start_page))
    return out


def blocks_from_pages(page_texts: list[str], *, from_pdf: bool, first_page: int | None) -> list[Block]:
    """Text laid out in lines, one string per page, into cleaned paragraph and heading blocks.

    `first_page` numbers the pages (1 for PDFs); None when the text has no real pages.
    """
    pages = [[normalize_line(raw) for raw in text.splitlines()] for text in page_texts]
    pages = [  # residue is told by its words, so CJK spaces are dropped after
        [normalize_line(line, drop_cjk_spaces=from_pdf) for line in lines if not line or not is_residue(line)]
        for lines in pages
    ]
    if from_pdf or len(pages) > 1:
        pages = strip_page_margins(pages)
    paragraphs = [(text, None if first_page is None else first_page + index)
                  for text, index in paragraphs_from_lines(pages)]
    return blocks_from_paragraphs(paragraphs)


def blocks_from_paragraphs(
    paragraphs: list[tuple[str, int | None]], *, find_title: bool = True, ocr: bool = False
) -> list[Block]:
    """Paragraphs (text, page) into blocks, each a heading or body text. With `find_title`, the
    text's first paragraph may be its title (a short line, or the title a long one opens with)."""
    blocks: list[Block] = []
    for text, page in paragraphs:
        lead = lead_title(text) if find_title and not blocks else None
        if lead:
            blocks.append(Block(text=lead, page=page, heading_level=1, ocr=ocr))
            text = text[len(lead):].lstrip()
        level = heading_level(text) or (1 if find_title and not blocks and _title_like(text) else 0)
        blocks.append(Block(text=text, page=page, heading_level=level, ocr=ocr))
    return blocks


def _title_like(line: str) -> bool:
    """A short first line that does not end a sentence reads as the title (内部资料：跟踪表)."""
    return len(line) <= _NUMBERED_HEADING_MAX and not _ENDS_SENTENCE.search(line) and "。" not in line


def lead_title(paragraph: str) -> str | None:
    """The title a long first paragraph opens with, when line breaks were lost and only a space
    separates it from the text (as in notices copied from web pages); else None."""
    if len(paragraph) < _LEAD_TITLE_MIN_PARAGRAPH or heading_level(paragraph):
        return None
    match = _LEAD_TITLE.match(paragraph)
    return match.group(1) if match else None
