"""Tables, spreadsheets, legacy Word, scans and page images: read as a county's files come."""

import difflib
import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.documents import Document
from ingest.errors import FileRejected
from ingest.loaders import parse_document, read_file

from . import fixture_docs as F
from .conftest import MAX_BYTES, load


def rows_of(doc: Document) -> list[str]:
    return [doc.text[s.start:s.end] for s in doc.spans if s.kind == "table"]


def prose_of(doc: Document) -> list[str]:
    return [doc.text[s.start:s.end] for s in doc.spans if s.kind == "prose"]


def similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def convert(path: Path, to: str) -> Path:
    """The file converted by LibreOffice (as a county's office would save it)."""
    profile = (path.parent / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", to,
                    "--outdir", str(path.parent / "converted"), str(path)],
                   check=True, capture_output=True, timeout=180)
    return path.parent / "converted" / f"{path.stem}.{to}"


# --- tables ----------------------------------------------------------------------------------

def test_pdf_table_rows_say_caption_and_column_names(write_fixture):
    doc = load(write_fixture("bulletin.pdf", F.write_table_pdf))
    header, *body = F.TABLE_ROWS
    expected = [F.TABLE_CAPTION + " | "
                + " | ".join(f"{name}: {value}" for name, value in zip(header, row)) for row in body]
    assert rows_of(doc) == expected
    assert doc.tables == 1 and doc.pages == 1
    assert F.TABLE_CAPTION not in prose_of(doc)  # the caption went into the rows
    assert F.TABLE_BEFORE in prose_of(doc) and F.TABLE_AFTER in prose_of(doc)
    assert not any(value in "".join(prose_of(doc)) for value in ("5321.6", "126430"))
    assert doc.title == F.ARTICLE_TITLE  # set in large type


def test_pdf_table_running_over_a_page_end_is_one_table(write_fixture):
    """A header alone at the foot of a page, the rest of a header cell, a row broken in two and
    a merged cell cut by the page end: every row keeps the caption and whole column names."""
    doc = load(write_fixture("projects.pdf", F.write_spanning_tables_pdf))
    expected = [caption + " | " + " | ".join(f"{name}: {value}" for name, value in zip(header, row))
                for caption, header, rows in zip(F.SPANNING_CAPTIONS, F.SPANNING_HEADERS,
                                                 (F.SPANNING_CROPS, F.SPANNING_PROJECTS))
                for row in rows]
    assert rows_of(doc) == expected
    assert doc.tables == 2
    assert [s.page for s in doc.spans if s.kind == "table"] == [2, 2, 2, 2, 3]  # where each row starts


def test_footnote_markers_are_kept_verbatim(write_fixture, tmp_path):
    pdf = load(write_fixture("bulletin.pdf", F.write_table_pdf))
    text = tmp_path / "bulletin.txt"
    text.write_text("\n".join([F.ARTICLE_TITLE, F.FOOTNOTED, *F.FOOTNOTES]), encoding="utf-8")
    for doc in (pdf, load(text)):
        assert F.FOOTNOTED in doc.text
        assert all(note in doc.text for note in F.FOOTNOTES)


def test_docx_title_in_large_type_over_two_lines_is_the_title(write_fixture):
    doc = load(write_fixture("qinghe_2024_tjgb.docx", F.write_large_type_docx))
    assert doc.title == "".join(F.BULLETIN_TITLE_LINES)  # not the file name
    assert doc.text.split("\n")[:3] == [doc.title, F.BULLETIN_BYLINE, F.BULLETIN_BODY]


def test_docx_title_is_found_when_the_body_takes_the_documents_default_size(write_fixture):
    doc = load(write_fixture("qinghe_2024_tjgb.docx", F.write_large_type_docx, body_pt=None))
    assert doc.title == "".join(F.BULLETIN_TITLE_LINES)


def test_docx_page_of_large_type_is_no_title(write_fixture):
    lines = tuple(f"第{n}行大字" for n in range(1, 9))  # more lines than a title runs to
    doc = load(write_fixture("poster.docx", F.write_large_type_docx, title_lines=lines))
    assert doc.title == "poster"
    assert doc.text.split("\n")[:2] == list(lines[:2])


def test_docx_merged_cells_and_two_row_header(write_fixture):
    doc = load(write_fixture("report.docx", F.write_merged_docx))
    rows = rows_of(doc)
    assert rows[0] == (f"{F.MERGED_CAPTION} | 类别: 工业 | 项目名称: 镁合金压铸项目 | 投资额（亿元）/计划: 12.5"
                       " | 投资额（亿元）/完成: 8.1 | 建设地点: 经济技术开发区")
    assert rows[1].startswith(f"{F.MERGED_CAPTION} | 类别: 工业 | 项目名称: 氢能装备制造项目")  # merged down
    assert len(rows) == len(F.MERGED_BODY)
    assert F.MERGED_CAPTION not in prose_of(doc)


def test_sub_item_rows_say_their_parent_row(write_fixture):
    word = rows_of(load(write_fixture("finance.docx", F.write_subitem_docx)))
    sheet = rows_of(load(write_fixture("finance.xlsx", F.write_subitem_xlsx)))
    legacy = rows_of(load(write_fixture("finance.xls", F.write_subitem_xls)))
    for rows in (word, sheet, legacy):
        assert [row.split(" | ")[-2] for row in rows] == [
            "指标: 一般公共预算收入", "指标: 一般公共预算收入/其中：税收收入", "指标: 一般公共预算收入/非税收入",
            "指标: 一般公共预算支出", "指标: 一般公共预算支出/其中：教育", "指标: 一般公共预算支出/卫生健康"]
    # only a row's label keeps its indentation, and only as its parent: a value's spaces go
    assert word[2] == f"{F.SUBITEM_CAPTION} | 指标: 一般公共预算收入/非税收入 | 绝对数（亿元）: 6.5"
    assert sheet[2].endswith("绝对数（亿元）: 6.5")
    # a web page's table, indented with typed full-width spaces
    page = rows_of(load(write_fixture("finance.html", F.write_subitem_html)))
    assert [row.split(" | ")[-2] for row in page] == [row.split(" | ")[-2] for row in word]
    # with no indentation (a PDF), 其中 alone marks a sub-item
    from ingest.tables import with_parents

    body = [["粮食", "122"], ["其中：夏粮", "21"], ["秋粮", "101"]]
    assert [row[0] for row in with_parents(body)] == ["粮食", "粮食/其中：夏粮", "秋粮"]


def test_legacy_doc_is_converted_with_its_tables(write_fixture):
    doc_file = convert(write_fixture("report.docx", F.write_merged_docx), "doc")
    doc = load(doc_file)
    assert doc.file_type == "doc"
    assert rows_of(doc) == rows_of(load(doc_file.parent.parent / "report.docx"))
    wps = doc_file.with_suffix(".wps")
    shutil.copy(doc_file, wps)  # WPS saves Word 97 files under its own extension
    assert rows_of(load(wps)) == rows_of(doc)


def test_a_missing_converter_is_one_reason_for_that_file(write_fixture, monkeypatch):
    path = convert(write_fixture("report.docx", F.write_merged_docx), "doc")
    monkeypatch.setenv("PATH", str(path.parent))  # no soffice to be found
    with pytest.raises(FileRejected, match=r"^\.doc needs LibreOffice .*libreoffice-writer-nogui"):
        parse_document(read_file(path, MAX_BYTES), path.name)


def test_xlsx_project_list_rows_with_title_as_caption(write_fixture):
    doc = load(write_fixture("projects.xlsx", F.write_project_xlsx))
    header, *body = F.PROJECT_SHEET
    assert rows_of(doc)[0] == (f"{F.PROJECT_SHEET_TITLE} | 序号: 1 | 项目名称: 镁合金新材料产业园 | "
                               "总投资（亿元）: 35.5 | 建设地点: 青禾县经济技术开发区 | 联系单位: 县工信局")
    assert "总投资（亿元）: 12 |" in rows_of(doc)[2]  # a whole number is written as one
    assert len(rows_of(doc)) == len(body) and doc.tables == 1


def test_xls_and_gbk_csv(write_fixture, tmp_path):
    xlsx = write_fixture("projects.xlsx", F.write_project_xlsx)
    assert rows_of(load(write_fixture("projects.xls", F.write_project_xls))) == rows_of(load(xlsx))
    csv = tmp_path / "prices.csv"
    csv.write_bytes("品名,单价（元/吨）\n金属镁,18650\n镁合金锭,2890\n".encode("gbk"))
    assert rows_of(load(csv)) == ["品名: 金属镁 | 单价（元/吨）: 18650", "品名: 镁合金锭 | 单价（元/吨）: 2890"]


# --- OCR -------------------------------------------------------------------------------------

def test_page_image_is_read_by_the_ocr_model(write_fixture):
    pages = []
    doc = parse_document(read_file(write_fixture("notice.png", F.write_page_image), MAX_BYTES), "notice.png",
                         pages.append)
    assert similar(doc.text, "\n".join(F.SCAN_LINES)) > 0.9, doc.text
    assert "8.5%" in doc.text
    assert all(span.ocr and span.page == 1 for span in doc.spans)
    assert doc.ocr_pages == 1 and pages == ["OCR page 1/1"]


def test_a_table_in_a_page_image_is_read_as_a_table(write_fixture):
    """The layout and table-structure models (bundled, offline) find the ruled table and its
    cells in the OCR'd page, so its rows say their caption and column names, as a PDF's do."""
    path = write_fixture("bulletin.png", F.write_table_image)
    doc = parse_document(read_file(path, MAX_BYTES), path.name)
    header, *body = F.TABLE_ROWS
    expected = [F.TABLE_CAPTION + " | " + " | ".join(f"{name}: {value}" for name, value in zip(header, row))
                for row in body]
    rows = rows_of(doc)
    assert len(rows) == len(expected) and all(similar(got, want) > 0.9 for got, want in zip(rows, expected)), rows
    assert all(value in "".join(rows) for row in body for value in row[2:])  # every figure in its row
    assert doc.tables == 1 and all(s.ocr for s in doc.spans)
    assert similar("".join(prose_of(doc)), F.TABLE_BEFORE[:34] + F.TABLE_AFTER) > 0.9  # the table's text is not prose


def test_mixed_pdf_keeps_its_text_page_and_reads_the_scanned_one(write_fixture):
    pages = []
    path = write_fixture("mixed.pdf", F.write_mixed_pdf, scanned_pages=1)
    doc = parse_document(read_file(path, MAX_BYTES), path.name, pages.append)
    text_span = next(s for s in doc.spans if F.PDF_INTRO[:12] in doc.text[s.start:s.end])
    assert F.PDF_INTRO in doc.text and text_span.page == 1 and not text_span.ocr
    scanned = [s for s in doc.spans if s.ocr]
    assert scanned and all(s.page == 2 for s in scanned)
    assert similar("\n".join(doc.text[s.start:s.end] for s in scanned), "\n".join(F.SCAN_LINES)) > 0.9
    assert (doc.pages, doc.ocr_pages) == (2, 1) and pages == ["page 1/2", "page 2/2", "OCR page 1/1"]


def test_with_ocr_off_images_are_refused_and_scanned_pages_skipped(write_fixture):
    image = write_fixture("notice.png", F.write_page_image)
    with pytest.raises(FileRejected, match="COUNTY_RAG_OCR=false"):
        parse_document(read_file(image, MAX_BYTES), image.name, ocr=False)
    mixed = write_fixture("mixed.pdf", F.write_mixed_pdf)
    doc = parse_document(read_file(mixed, MAX_BYTES), mixed.name, ocr=False)
    assert F.PDF_INTRO in doc.text and doc.ocr_pages == 0


# --- PDF text --------------------------------------------------------------------------------

def test_pdf_title_drawn_as_outlines_falls_back_to_the_file_name(write_fixture):
    doc = load(write_fixture("青禾县招商指南.pdf", F.write_chinese_pdf, outlined_title=True))
    assert doc.title == "青禾县招商指南"
    assert F.PDF_INTRO in doc.text and F.PDF_TITLE not in doc.text


def test_html_data_table_spans_rows_and_columns(tmp_path):
    page = tmp_path / "bulletin.html"
    page.write_text(
        "<html><body><h1>青禾县统计公报</h1><p>表2 主要工业产品产量</p><table>"
        "<tr><th rowspan=2>产品</th><th colspan=2>2023年</th></tr><tr><th>产量</th><th>增长(%)</th></tr>"
        "<tr><td>原煤</td><td>5321</td><td>4.2</td></tr><tr><td>金属镁</td><td>8</td><td>12.7</td></tr>"
        "</table><p>以上数据为初步统计。</p>"
        "<table><tr><td>布局表格中的正文段落。</td></tr></table></body></html>", encoding="utf-8")
    doc = load(page)
    assert rows_of(doc) == ["表2 主要工业产品产量 | 产品: 原煤 | 2023年/产量: 5321 | 2023年/增长(%): 4.2",
                            "表2 主要工业产品产量 | 产品: 金属镁 | 2023年/产量: 8 | 2023年/增长(%): 12.7"]
    assert prose_of(doc)[-2:] == ["以上数据为初步统计。", "布局表格中的正文段落。"]  # a layout table is text


def test_each_frame_of_a_tiff_is_a_page(tmp_path):
    path = tmp_path / "notice.tif"
    first, second = F.page_image(F.SCAN_LINES[:1]), F.page_image(F.SCAN_LINES[1:])
    first.save(path, save_all=True, append_images=[second])
    doc = load(path)
    pages = {doc.text[s.start:s.end]: s.page for s in doc.spans}
    assert [similar(text, line) > 0.9 for text, line in zip(pages, F.SCAN_LINES)] == [True, True]
    assert list(pages.values()) == [1, 2] and doc.ocr_pages == 2
