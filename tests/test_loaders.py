"""Loading: every supported format into clean Chinese text with pages and headings; bad files refused."""

import os
import random
import re
from pathlib import Path

import pytest

from ingest.documents import Document, Span
from ingest.errors import FileRejected
from ingest.loaders import parse_document, read_file

from . import fixture_docs as F
from .conftest import MAX_BYTES, load

SPACE_BETWEEN_CJK = re.compile(r"[\u4e00-\u9fff，。、；：“”（）] +[\u4e00-\u9fff，。、；：“”（）]")


def span_of(doc: Document, needle: str) -> Span:
    """The paragraph span holding `needle`."""
    at = doc.text.index(needle)
    return next(s for s in doc.spans if s.start <= at < s.end)


def paragraphs(doc: Document) -> list[str]:
    return [doc.text[s.start:s.end] for s in doc.spans]


def test_spans_tile_the_text(pdf_doc, docx_doc, html_doc, markdown_doc, article_doc):
    for doc in (pdf_doc, docx_doc, html_doc, markdown_doc, article_doc):
        assert "\n".join(paragraphs(doc)) == doc.text
        assert all(p and p == p.strip() for p in paragraphs(doc)), doc.source


# --- PDF -------------------------------------------------------------------------------------

def test_pdf_title_is_the_first_heading(pdf_doc):
    assert pdf_doc.title == F.PDF_TITLE
    assert pdf_doc.spans[0].is_heading and paragraphs(pdf_doc)[0] == F.PDF_TITLE
    assert pdf_doc.file_type == "pdf"


def test_pdf_keeps_page_numbers_on_spans(pdf_doc):
    assert span_of(pdf_doc, F.PDF_INTRO[:20]).page == 1
    assert span_of(pdf_doc, F.PDF_HEADING_2).page == 2
    assert span_of(pdf_doc, F.PDF_PAGE2[:20]).page == 2
    assert span_of(pdf_doc, F.PDF_PAGE3).page == 3
    assert span_of(pdf_doc, F.PDF_PAGE2[:20]).heading_path == (F.PDF_HEADING_2,)


def test_pdf_drops_repeated_header_and_page_footer(pdf_doc):
    assert "青禾县投资指南" not in pdf_doc.text
    assert not re.search(r"第\s*\d+\s*页", pdf_doc.text)
    assert not any(re.fullmatch(r"[\d\s]+", p) for p in paragraphs(pdf_doc))


def test_pdf_joins_wrapped_lines_without_spaces(pdf_doc):
    for paragraph in (F.PDF_INTRO, F.PDF_PROJECTS, F.PDF_PAGE2, F.PDF_PAGE3):
        assert paragraph in paragraphs(pdf_doc)
    assert not SPACE_BETWEEN_CJK.search(pdf_doc.text)
    assert "总投资12.5亿元" in pdf_doc.text and "增长5.4%" in pdf_doc.text


def test_pdf_paragraph_across_a_page_break_is_one_paragraph(pdf_doc):
    """The footer of page 2 and the header of page 3 fall between its lines and are removed."""
    assert F.PDF_ACROSS in paragraphs(pdf_doc)
    assert span_of(pdf_doc, F.PDF_ACROSS).page == 2  # the page it starts on


def test_pdf_lines_repeated_on_only_one_page_are_kept(write_fixture):
    pages = F.chinese_pdf_pages()
    pages[1].insert(0, "附表")  # a short line at the top of one page only
    doc = load(write_fixture("guide.pdf", F.write_chinese_pdf, pages=pages))
    assert "附表" in paragraphs(doc)
    assert "青禾县投资指南" not in doc.text


def test_pdf_printed_from_a_web_page_drops_its_toolbar(write_fixture):
    pages = F.chinese_pdf_pages()
    pages[0].insert(1, "下载 打印 全屏 【字号：大 中 小】")
    doc = load(write_fixture("printed.pdf", F.write_chinese_pdf, pages=pages))
    assert paragraphs(doc)[:2] == [F.PDF_TITLE, F.PDF_INTRO]


def test_pdf_with_only_an_owner_password_opens(write_fixture):
    doc = load(write_fixture("open.pdf", F.write_encrypted_pdf, user_password=""))
    assert doc.title == F.PDF_TITLE
    assert F.PDF_ACROSS in doc.text


# --- Word ------------------------------------------------------------------------------------

def test_docx_title_headings_and_paragraphs(docx_doc):
    assert docx_doc.title == F.DOCX_TITLE
    assert span_of(docx_doc, F.DOCX_INTRO).heading_path == (F.DOCX_H1,)
    transport = "".join(F.DOCX_TRANSPORT)  # the line break inside the paragraph joined, no space
    assert transport in paragraphs(docx_doc)
    assert span_of(docx_doc, transport).heading_path == (F.DOCX_H1, F.DOCX_H2)
    assert span_of(docx_doc, F.DOCX_H2).is_heading
    assert span_of(docx_doc, F.DOCX_AFTER_TABLE).heading_path == (F.DOCX_H1B,)


def test_docx_table_rows_say_their_column_headers(docx_doc):
    (name, money), *body = F.DOCX_TABLE
    rows = [f"{name}: {a} | {money}: {b}" for a, b in body]
    assert all(row in paragraphs(docx_doc) for row in rows)
    assert span_of(docx_doc, rows[0]).heading_path == (F.DOCX_H1B,)  # a heading is no caption
    assert span_of(docx_doc, rows[0]).table == 1 and span_of(docx_doc, rows[0]).kind == "table"
    assert paragraphs(docx_doc).index(rows[-1]) < paragraphs(docx_doc).index(F.DOCX_AFTER_TABLE)
    assert span_of(docx_doc, F.DOCX_AFTER_TABLE).kind == "prose"
    assert docx_doc.tables == 1


# --- plain text and encodings ----------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_text_encodings_are_decoded(write_fixture, encoding):
    doc = load(write_fixture(f"概况-{encoding}.txt", F.write_encoded_text, encoding=encoding))
    assert doc.title == "青禾县概况"
    for line in F.ENCODED_TEXT.splitlines()[1:]:
        assert line in paragraphs(doc)
    assert "\ufeff" not in doc.text
    assert all(span.page is None for span in doc.spans)


def test_form_feeds_number_the_pages_of_a_text_file(tmp_path):
    path = tmp_path / "pdftotext.txt"
    path.write_text("青禾县概况\n青禾县历史悠久，是革命老区。\n\f青禾县特色农产品有小杂粮、红枣和沙棘。\n", encoding="utf-8")
    doc = load(path)
    assert span_of(doc, "青禾县历史悠久").page == 1
    assert span_of(doc, "小杂粮").page == 2


def test_scraped_article_title_residue_and_cut_sentences(article_doc):
    assert article_doc.title == F.ARTICLE_TITLE
    assert paragraphs(article_doc)[0] == F.ARTICLE_TITLE
    for residue in ("下载", "打印", "全屏", "收藏", "字号", "加大", "还原", "减小", "关闭窗口"):
        assert residue not in article_doc.text
    assert "".join(F.ARTICLE_CUT) in paragraphs(article_doc)  # cut inside open quotes
    assert "".join(F.ARTICLE_LONG_CUT) in paragraphs(article_doc)  # cut in a long line


def test_scraped_article_numbered_headings(article_doc):
    for heading in ("一、综合", "（一）工业", "二、投资"):
        assert span_of(article_doc, heading).is_heading
    assert span_of(article_doc, F.ARTICLE_CUT[1]).heading_path == ("一、综合", "（一）工业")
    assert span_of(article_doc, F.ARTICLE_LONG_CUT[1]).heading_path == ("二、投资",)
    assert not span_of(article_doc, "发布时间").is_heading


# --- HTML ------------------------------------------------------------------------------------

def test_html_drops_scripts_navigation_and_toolbar(html_doc):
    for residue in F.HTML_RESIDUE:
        assert residue not in html_doc.text, residue
    assert paragraphs(html_doc) == [F.HTML_TITLE, F.HTML_WRAPPED, F.HTML_SECOND]


def test_html_title_and_source_wrapped_text(html_doc):
    assert html_doc.title == F.HTML_TITLE
    assert span_of(html_doc, F.HTML_WRAPPED).heading_path == ()  # the title heads no section
    assert not SPACE_BETWEEN_CJK.search(html_doc.text)


def test_html_without_heading_takes_the_page_title(write_fixture):
    doc = load(write_fixture("news.html", F.write_html, with_h1=False))
    assert doc.title == F.HTML_PAGE_TITLE
    assert F.HTML_WRAPPED in doc.text


def test_gbk_html_is_decoded(write_fixture):
    doc = load(write_fixture("news.htm", F.write_html, encoding="gbk"))
    assert doc.title == F.HTML_TITLE
    assert F.HTML_WRAPPED in doc.text


# --- Markdown --------------------------------------------------------------------------------

def test_markdown_headings_table_and_list(markdown_doc):
    assert markdown_doc.title == F.MD_TITLE
    assert "青禾县以煤焦化工和镁合金为主导产业，近年来积极发展新能源。" in paragraphs(markdown_doc)
    row = "项目名称: 镁合金压铸项目 | 投资额: 12.5亿元"
    assert row in paragraphs(markdown_doc) and span_of(markdown_doc, row).kind == "table"
    assert span_of(markdown_doc, row).heading_path == ("重点项目",)
    assert "项目名称: 现代物流园区 | 投资额: 3.2亿元" in paragraphs(markdown_doc)
    for item in ("建成千万吨级煤炭基地", "打造镁合金产业集群", "完善园区配套设施"):
        assert item in paragraphs(markdown_doc)
        assert span_of(markdown_doc, item).heading_path == ("发展目标",)
    assert not re.search(r"[#*]|---", markdown_doc.text)


# --- files that are refused ------------------------------------------------------------------

def rejection(path: Path, max_bytes: int = MAX_BYTES, ocr: bool = True) -> str:
    with pytest.raises(FileRejected) as info:
        parse_document(read_file(path, max_bytes), path.name, ocr=ocr)
    return str(info.value)


@pytest.mark.parametrize("content", [b"", b" \r\n\t\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert rejection(path) == "empty file"


@pytest.mark.parametrize("writer", [F.write_corrupt_pdf, F.write_truncated_pdf])
def test_corrupt_pdf(write_fixture, writer):
    assert rejection(write_fixture("broken.pdf", writer)).startswith("corrupt PDF")


def test_encrypted_pdf(write_fixture):
    reason = rejection(write_fixture("secret.pdf", F.write_encrypted_pdf))
    assert "encrypted" in reason and "password" in reason


@pytest.mark.parametrize("page_numbers", [False, True])
def test_scanned_pdf_without_text_layer_and_ocr_off(write_fixture, page_numbers):
    path = write_fixture("scan.pdf", F.write_scanned_pdf, pages=30, page_numbers=page_numbers)
    reason = rejection(path, ocr=False)
    assert "no text layer; needs OCR" in reason and "COUNTY_RAG_OCR=false" in reason


def test_scan_in_which_ocr_reads_nothing(write_fixture):
    path = write_fixture("scan.pdf", F.write_scanned_pdf, pages=1, page_numbers=True)
    assert rejection(path) == "no text found (scanned PDF: OCR read nothing)"


@pytest.mark.parametrize("name", ["slides.pptx", "drawing.dwg", "README"])
def test_unsupported_type(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 not read anyway")
    reason = rejection(path)
    assert reason.startswith("unsupported file type")
    assert (Path(name).suffix or "(no extension)") in reason


def test_undecodable_bytes(tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes(random.Random(3).randbytes(5000))
    assert rejection(path).startswith("undecodable bytes")


def test_corrupt_docx(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"not a zip archive")
    assert rejection(path).startswith("corrupt Word file")


def test_page_without_text(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><script>var a = 1;</script><nav>首页</nav><p>下载 打印</p></html>", encoding="utf-8")
    assert rejection(path) == "no text found"


def test_file_over_the_size_limit(write_fixture):
    path = write_fixture("guide.pdf", F.write_chinese_pdf)
    assert rejection(path, max_bytes=1024).startswith("file too large")
    assert load(path, max_bytes=path.stat().st_size).title == F.PDF_TITLE  # at the limit: fine


def test_symlink_loop(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    os.symlink(b, a)
    os.symlink(a, b)
    with pytest.raises(FileRejected, match="^symlink loop$"):
        read_file(a, MAX_BYTES)


def test_directory_named_like_a_file(tmp_path):
    (tmp_path / "notes.txt").mkdir()
    assert rejection(tmp_path / "notes.txt") == "unreadable: is a directory"


def test_unreadable_file(tmp_path):
    """Root reads any file, so as root the read runs in a forked child that drops to `nobody`
    (a fresh interpreter could not start as `nobody` when Python lives under /root)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o755)
    path = folder / "secret.txt"
    path.write_text("青禾县内部资料，请勿外传。", encoding="utf-8")
    path.chmod(0o000)
    if os.geteuid() != 0:
        if os.access(path, os.R_OK):
            pytest.skip("chmod 000 does not block reading here")
        assert rejection(path) == "unreadable: permission denied"
        return
    if not hasattr(os, "fork"):
        pytest.skip("running as root and cannot fork a child to drop privileges")
    assert _read_as_nobody(path) == "unreadable: permission denied"


def _read_as_nobody(path: Path) -> str:
    """read_file in a child process running as uid/gid 65534; returns the rejection reason."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: always leaves through os._exit
        message = "no error"
        try:
            os.chdir(path.parent)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            read_file(Path(path.name), MAX_BYTES)
        except FileRejected as exc:
            message = str(exc)
        except BaseException as exc:  # noqa: BLE001  # reported to the parent, which fails the test
            message = f"child failed: {exc!r}"
        finally:
            os.write(writer, message.encode())
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    return message
