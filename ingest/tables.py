"""Tables as self-describing rows: every row repeats the table's caption and its column headers.

A table from any format (Word, PDF, spreadsheet) arrives as a grid of cell texts in which a
merged cell repeats its text in every position it covers. Each body row becomes one line,

    表5 主要产品产量 | 产品名称: 钢材 | 单位: 吨 | 产量: 1577693 | 比上年增长(%): 48.8

so a passage of rows says what its numbers are. Multi-row headers (a header cell spanning
columns above the sub-headers) are joined per column with "/". A sub-item row (其中：夏粮, or a
label indented under a less indented one) says its parent row's label too: 粮食/其中：夏粮.
"""

import re

from .documents import Block
from .textclean import HAN, glue, normalize_line

CELL_SEPARATOR = " | "
NAME_SEPARATOR = ": "
HEADER_JOIN = "/"
MAX_HEADER_ROWS = 3
CAPTION_MAX_CHARS = 60
MAX_SPAN = 100  # an HTML cell's larger rowspan or colspan is read as 1
INDENT = "\u3000"  # a label cell's leading full-width spaces: its indentation, as documents type it
_SUB_ITEM = re.compile(r"^其中\s*[：:]?")
_HAN = re.compile(f"[{HAN}]")
_CAPTION = re.compile(r"^(?:附?表|table)\s*[\dA-Za-z一二三四五六七八九十]", re.IGNORECASE)
_UNIT = re.compile(r"^[（(]?(?:计量)?单位[：:]")
_ENDS_SENTENCE = re.compile(r"[。！？；!?;][”’\"'）)]*$")
_SENTENCES = re.compile(r"[^。！？；!?;]*[。！？；!?;]?")


def clean_cell(text: str | None, indent: int | None = None) -> str:
    """A cell's text on one line: wrapped lines glued, layout spaces between CJK dropped. With
    `indent` (a row's label cell), its typed leading full-width spaces and `indent` more are kept
    in front: the label's indentation."""
    text = text or ""
    out = ""
    for line in text.splitlines():
        out = glue(out, normalize_line(line, drop_cjk_spaces=True))
    if indent is None or not out:
        return out
    return INDENT * (indent + len(text) - len(text.lstrip(INDENT))) + out


def take_caption(blocks: list[Block]) -> str:
    """The caption of a table that follows `blocks`; a caption line (表N …, a short title, a
    unit line) is taken out of `blocks`, since its rows repeat it. A short question or a
    sentence announcing the table (…如下：) is a caption too, but stays in the prose."""
    if not blocks or blocks[-1].table:
        return ""
    last = blocks[-1]
    if _is_caption_line(last):
        blocks.pop()
        if _UNIT.match(last.text) and blocks and _is_caption_line(blocks[-1]) and not _UNIT.match(blocks[-1].text):
            return f"{blocks.pop().text} {last.text}"
        return last.text
    sentence = next((s.strip() for s in reversed(_SENTENCES.findall(last.text)) if s.strip()), "")
    if len(sentence) <= CAPTION_MAX_CHARS and sentence.endswith(("：", ":", "？", "?")):
        return sentence
    return ""


def _is_caption_line(block: Block) -> bool:
    text = block.text
    if len(text) > CAPTION_MAX_CHARS or block.table:
        return False
    if _CAPTION.match(text) or _UNIT.match(text):
        return True
    return not block.heading_level and not _ENDS_SENTENCE.search(text) and not text.endswith(("：", ":"))


def header_rows(grid: list[list[str]]) -> int:
    """How many leading rows are column headers: one, more while a header cell spans columns
    above a row that another header cell reaches down into (merged vertically)."""
    n = 1
    while n < min(len(grid) - 1, MAX_HEADER_ROWS):
        above, row = grid[n - 1], grid[n]
        spans = any(a and a == b for a, b in zip(above, above[1:]))
        down = any(a and a == b for a, b in zip(above, row))
        if not (spans and down):
            break
        n += 1
    return n


def column_names(header: list[list[str]]) -> list[str]:
    """One name per column: the distinct header texts above it, top-down, joined."""
    names = []
    for column in zip(*header):
        parts: list[str] = []
        for text in (text.lstrip(INDENT) for text in column):
            if text and text not in parts:
                parts.append(text)
        names.append(HEADER_JOIN.join(parts))
    return names


def row_line(caption: str, names: list[str], cells: list[str]) -> str:
    """One body row as a self-describing line (caption, then `header: value` per cell)."""
    values = [c for c in cells if c]
    if len(set(values)) == 1 and len(values) > 1:  # a row spanning the table: a group label
        return CELL_SEPARATOR.join(p for p in (caption, values[0]) if p)
    parts = [caption] if caption else []
    seen: set[tuple[str, str]] = set()
    for name, value in zip(names, cells):
        if not value or (name, value) in seen or (not name and value in parts):
            continue  # merged cells repeat their text
        seen.add((name, value))
        parts.append(f"{name}{NAME_SEPARATOR}{value}" if name and name != value else value)
    return CELL_SEPARATOR.join(parts)


def parse_row_line(line: str) -> tuple[str, list[tuple[str, str]]]:
    """The caption and (header, value) pairs of a line made by `row_line` (for display)."""
    parts = line.split(CELL_SEPARATOR)
    caption = ""
    if parts and NAME_SEPARATOR not in parts[0] and len(parts) > 1:
        caption = parts.pop(0)
    pairs = []
    for part in parts:
        name, sep, value = part.partition(NAME_SEPARATOR)
        pairs.append((name, value) if sep else ("", part))
    return caption, pairs


def split_header(grid: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """The header rows and the body rows of a grid of clean cells; empty rows dropped, rows
    padded to one width, header rows repeated inside the body (a table continued on a new page)
    skipped."""
    header, body = indexed_split(grid)
    return header, [row for _, row in body]


def indexed_split(grid: list[list[str]]) -> tuple[list[list[str]], list[tuple[int, list[str]]]]:
    """`split_header`, each body row with its index in `grid`."""
    kept = [(i, row) for i, row in enumerate(grid) if any(row)]
    if not kept:
        return [], []
    width = max(len(row) for _, row in kept)
    rows = [(i, row + [""] * (width - len(row))) for i, row in kept]
    n = header_rows([row for _, row in rows]) if len(rows) > 1 else 0
    header = [row for _, row in rows[:n]]
    return header, [(i, row) for i, row in rows[n:] if row not in header]


def with_parents(body: list[list[str]]) -> list[list[str]]:
    """The rows with indentation taken off their first cell, and a sub-item's label preceded by
    its parent's: the nearest row above, not itself a 其中 row, that is less indented (a 其中 row's
    parent may be as indented as it is: documents without indentation mark sub-items so)."""
    parents: list[tuple[int, str]] = []  # (indentation, label) of the rows a later row may be under
    rows = []
    for first, *rest in filter(None, body):  # a row of no cells holds no value
        label = first.lstrip(INDENT)
        level = len(first) - len(label)
        if not _HAN.search(label):
            rows.append([label, *rest])
            continue
        sub = bool(_SUB_ITEM.match(label))
        while parents and (parents[-1][0] > level if sub else parents[-1][0] >= level):
            parents.pop()
        rows.append([f"{parents[-1][1]}{HEADER_JOIN}{label}" if parents else label, *rest])
        if not sub:
            parents.append((level, label))
    return rows


def table_blocks(header: list[list[str]], body: list[list[str]], caption: str, number: int,
                 pages: list[int] | None = None) -> list[Block]:
    """One block per body row that holds a value, a self-describing line (see `row_line`);
    `pages`: each body row's page, where the format has pages."""
    names = column_names(header) if header else [""] * max((len(r) for r in body), default=0)
    return [Block(row_line(caption, names, row), page=pages[i] if pages else None, table=number)
            for i, row in enumerate(with_parents(body)) if any(row)]


def html_grid(table) -> list[list[str]]:
    """Cell texts of an HTML table (a BeautifulSoup element), a cell spanning rows or columns
    repeated in each position; the first column's typed full-width spaces kept (a row label's
    indentation)."""
    cells: dict[tuple[int, int], str] = {}
    rows = table.find_all("tr")
    for r, row in enumerate(rows):
        c = 0
        for cell in row.find_all(["td", "th"]):
            while (r, c) in cells:
                c += 1
            text = clean_cell(cell.get_text("\n"), 0 if c == 0 else None)  # a label's typed indentation
            down, across = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            for i in range(down):
                for j in range(across):
                    cells.setdefault((r + i, c + j), text)
            c += across
    width = 1 + max((c for _, c in cells), default=-1)
    return [[cells.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _span(value) -> int:
    try:
        span = int(str(value or 1).strip())
    except ValueError:
        return 1
    return span if 1 <= span <= MAX_SPAN else 1
