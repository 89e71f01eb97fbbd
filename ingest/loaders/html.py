"""HTML pages: scripts, navigation and page chrome removed; headings and blocks kept."""

import re

from bs4 import BeautifulSoup

from ..documents import Block
from ..encoding import decode_text
from ..textclean import is_residue, normalize_line

_DROP = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
         "svg", "button", "select", "template", "head"]
_BLOCKS = ["p", "div", "li", "tr", "br", "table", "section", "article", "ul", "ol", "dl", "dt",
           "dd", "blockquote", "pre", "main", "figure", "figcaption", "caption"]
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_MARK = "\x01"
_NEWLINES = re.compile(r"\s*\n\s*")


def load_html(data: bytes) -> tuple[list[Block], str | None]:
    """Blocks of the page, and its <title> (used when the page has no heading)."""
    soup = BeautifulSoup(decode_text(data), "html.parser")
    page_title = normalize_line(soup.title.get_text()) if soup.title else None
    for tag in soup(_DROP):
        tag.decompose()
    for text_node in soup.find_all(string=True):
        if "\n" in text_node:
            text_node.replace_with(_NEWLINES.sub(" ", str(text_node)))
    for tag in soup(_HEADINGS):
        tag.insert(0, f"\n{_MARK}{tag.name[1]}{_MARK}")
        tag.append("\n")
    for tag in soup(_BLOCKS):
        tag.insert_before("\n")
        tag.append("\n")
    for cell in soup(["td", "th"]):
        cell.append(" ")
    blocks = []
    for raw in soup.get_text().split("\n"):
        level = 0
        if raw.startswith(_MARK):
            level, raw = int(raw[1]), raw[3:]
        line = normalize_line(raw)  # residue is told by its words: drop CJK spaces after
        if line and not is_residue(line):
            blocks.append(Block(normalize_line(line, drop_cjk_spaces=True), heading_level=level))
    return blocks, page_title or None
