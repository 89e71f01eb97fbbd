"""Spreadsheets (.xlsx, .xls, .csv): each sheet is a table, its rows self-describing lines.

Title rows above the column headers (one text spanning the sheet, as in 2023年重点项目清单)
become the table's caption; merged cells repeat their value in every cell they cover.
"""

import csv
import datetime
import io
import zipfile

from ..documents import Block
from ..encoding import decode_text
from ..errors import FileRejected
from ..tables import INDENT, clean_cell, split_header, table_blocks

_DEFAULT_SHEET = ("sheet", "工作表")


def load_spreadsheet(data: bytes, suffix: str) -> list[Block]:
    if suffix == ".csv":
        sheets = [("", _csv_rows(data))]
    elif suffix == ".xls":
        sheets = _xls_sheets(data)
    else:
        sheets = _xlsx_sheets(data)
    blocks: list[Block] = []
    number = 0
    for name, grid in sheets:
        grid = [[clean_cell(_text(v), 0 if i == 0 else None) for i, v in enumerate(row)] for row in grid]
        titles = _title_rows(grid)
        header, body = split_header(grid[len(titles):])
        if not body:
            continue
        number += 1
        named = name if len(sheets) > 1 or not name.lower().startswith(_DEFAULT_SHEET) else ""
        caption = " ".join(titles) or named
        if named:
            blocks.append(Block(named, heading_level=2))
        blocks.extend(table_blocks(header, body, caption, number))
    return blocks


def _title_rows(grid: list[list[str]]) -> list[str]:
    """Up to two leading rows holding one text only (a title merged across the sheet)."""
    if max((sum(1 for v in row if v) for row in grid), default=0) < 2:
        return []  # a one-column sheet has no title row to tell apart
    titles = []
    for row in grid[:2]:
        values = {v.lstrip(INDENT) for v in row if v}
        if len(values) != 1:
            break
        titles.append(values.pop())
    return titles


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _csv_rows(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _xlsx_sheets(data: bytes) -> list[tuple[str, list[list[object]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRejected(f"corrupt Excel file: {exc}") from exc
    sheets = []
    for sheet in book.worksheets:
        grid = [[_indented(cell) for cell in row] for row in sheet.iter_rows()]
        for merged in sheet.merged_cells.ranges:
            value = grid[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row - 1, merged.max_row):
                for c in range(merged.min_col - 1, merged.max_col):
                    grid[r][c] = value
        sheets.append((sheet.title, grid))
    return sheets


def _indented(cell) -> object:
    """An .xlsx cell's value, indented as its alignment says."""
    return _with_indent(cell.value, int(cell.alignment.indent or 0) if cell.has_style else 0)


def _with_indent(value: object, indent: int) -> object:
    """A text with `indent` full-width spaces in front (its cell's indent, read as a row label's
    indentation); other values as they are."""
    return INDENT * indent + value if indent and isinstance(value, str) else value


def _xls_sheets(data: bytes) -> list[tuple[str, list[list[object]]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except (xlrd.XLRDError, ValueError, OSError, AssertionError, IndexError) as exc:
        raise FileRejected(f"corrupt Excel file: {exc}") from exc
    sheets = []
    for sheet in book.sheets():
        grid = [[_xls_value(book, sheet.cell(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
        for r0, r1, c0, c1 in sheet.merged_cells:
            for r in range(r0, r1):
                for c in range(c0, c1):
                    grid[r][c] = grid[r0][c0]
        sheets.append((sheet.name, grid))
    return sheets


def _xls_value(book, cell) -> object:
    """An .xls cell's value (a date as a datetime), indented as its format says."""
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
    return _with_indent(cell.value, book.xf_list[cell.xf_index].alignment.indent_level
                        if cell.xf_index is not None else 0)
