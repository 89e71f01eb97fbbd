"""Chunking: whole sentences within the real model's token budget, with overlap and context.

Most tests size chunks with the bundled all-MiniLM-L6-v2 tokenizer (one token per CJK character,
254 tokens of input); a one-token-per-character counter serves where the model is not needed.
"""

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from ingest.chunking import TITLE_MAX_CHARS, chunk_document, split_sentences
from ingest.documents import Block, Chunk, Document, index_text
from ingest.embedder import Embedder
from ingest.loaders import assemble
from ingest.textclean import (
    glue,
    heading_level,
    is_page_number,
    is_residue,
    normalize_line,
    strip_page_margins,
)

from . import fixture_docs as F
from .conftest import load

SETTINGS = [(256, 64), (80, 24), (400, 200)]  # (chunk, overlap) tokens; 400 is over the model's input
ENDERS = ("。", "；", "！", "……", "？")
FIGURES = re.compile(r"\d+(?:\.\d+)?(?:[万亿]?元|%|万吨|亩)")
LONG_RUN = (  # no punctuation at all
    "青禾县地处太行山西麓清漳河穿境而过境内白云岩石灰岩储量大交通便利产业基础扎实全县上下"
    "齐心协力推动转型发展"
) * 30


class CharCounter:
    """One token per character."""

    def count(self, texts: list[str]) -> list[int]:
        return [len(text) for text in texts]

    def prefix_chars(self, text: str, max_tokens: int) -> int:
        return min(len(text), max_tokens)


def project_sentences(first: int, count: int) -> str:
    return "".join(
        f"第{i}批重点项目中有{i % 7 + 2}个位于工业园区，总投资12.5亿元，同比增长5.4%{ENDERS[i % len(ENDERS)]}"
        for i in range(first, first + count)
    )


def document(blocks: list[Block], source: str = "重点项目.md") -> Document:
    """A Document assembled from blocks by the loaders' own assembly."""
    digest = hashlib.sha256("\n".join(b.text for b in blocks).encode()).hexdigest()
    return assemble(blocks, source, digest, "md")


def report(extra: str = "") -> Document:
    """Headings over paragraphs of short sentences, and a 900-character run without punctuation."""
    return document([
        Block("青禾县重点项目建设情况", heading_level=1),
        Block("一、项目进展", heading_level=2),
        Block(project_sentences(1, 6)),
        Block(project_sentences(7, 6)),
        Block("（一）园区建设", heading_level=3),
        Block(project_sentences(13, 8)),
        Block("二、资源概况", heading_level=2),
        Block(LONG_RUN[:900]),
        Block(project_sentences(21, 3) + extra),
    ])


@pytest.fixture(scope="module")
def corpus(docs_dir: Path) -> list[Document]:
    return [load(path) for path in sorted(docs_dir.iterdir())] + [report()]


def budget(chunk: Chunk, counter: Embedder, chunk_tokens: int) -> int:
    """The passage budget the chunk was packed to: the target, less what title and headings use."""
    prefix = counter.count([index_text(chunk.title, chunk.heading, "")])[0]
    return chunk_tokens - prefix - 1


def sentence_at(doc: Document, offset: int) -> tuple[int, int]:
    """The sentence of `doc` holding the character at `offset`."""
    span = next(s for s in doc.spans if s.start <= offset < s.end)
    bounds = split_sentences(doc.text[span.start:span.end], span.start)
    return next((a, b) for a, b in bounds if a <= offset < b)


def uncovered(doc: Document, chunks: list[Chunk]) -> list[int]:
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.char_start, chunk.char_end))
    return [i for i, ch in enumerate(doc.text) if not ch.isspace() and i not in covered]


# --- with the real model's tokenizer ---------------------------------------------------------

@pytest.mark.parametrize("chunk_tokens, overlap", SETTINGS)
def test_chunks_keep_to_their_size_and_slice_the_text(corpus, bundled_embedder, chunk_tokens, overlap):
    for doc in corpus:
        chunks = chunk_document(doc, "doc", bundled_embedder, chunk_tokens, overlap)
        counts = bundled_embedder.count([c.index_text for c in chunks])
        assert max(counts) <= chunk_tokens, doc.source
        assert [c.seq for c in chunks] == list(range(len(chunks)))
        assert len({c.id for c in chunks}) == len(chunks)
        for chunk in chunks:
            assert chunk.text == doc.text[chunk.char_start:chunk.char_end]
            assert chunk.text == chunk.text.strip() and chunk.text
        assert [c.char_start for c in chunks] == sorted(c.char_start for c in chunks)
        assert uncovered(doc, chunks) == [], doc.source


@pytest.mark.parametrize("chunk_tokens, overlap", SETTINGS)
def test_chunks_start_and_end_with_sentences_unless_one_is_over_budget(
    corpus, bundled_embedder, chunk_tokens, overlap
):
    cut_inside = 0
    for doc in corpus:
        for chunk in chunk_document(doc, "doc", bundled_embedder, chunk_tokens, overlap):
            first, last = sentence_at(doc, chunk.char_start), sentence_at(doc, chunk.char_end - 1)
            for (a, b), whole in ((first, chunk.char_start == first[0]), (last, chunk.char_end == last[1])):
                if not whole:
                    cut_inside += 1
                    tokens = bundled_embedder.count([doc.text[a:b]])[0]
                    assert tokens > budget(chunk, bundled_embedder, chunk_tokens), doc.text[a:b]
    assert cut_inside > 0  # the 900-character run was cut


def test_small_chunks_end_at_every_kind_of_sentence_end(corpus, bundled_embedder):
    ends = {c.text[-1] for doc in corpus for c in chunk_document(doc, "doc", bundled_embedder, 80, 24)}
    assert {"。", "；", "！", "…"} <= ends


def test_long_sentence_is_split_and_nothing_is_lost(bundled_embedder):
    doc = document([Block("青禾县概况", heading_level=1), Block(LONG_RUN[:900])])
    chunks = chunk_document(doc, "doc", bundled_embedder, 256, 64)
    body = [c for c in chunks if c.char_end > doc.spans[1].start]
    assert len(body) >= 4  # 900 characters, about 230 tokens a chunk
    assert uncovered(doc, chunks) == []
    assert all(a.char_end == b.char_start for a, b in zip(body, body[1:]))  # no gap, no overlap
    assert all(n <= 256 for n in bundled_embedder.count([c.text for c in chunks]))


def test_neighbouring_chunks_overlap_by_whole_sentences(bundled_embedder):
    doc = report()
    chunks = chunk_document(doc, "doc", bundled_embedder, 120, 40)
    section = [c for c in chunks if c.heading_path == ("一、项目进展",)]
    assert len(section) >= 3
    for before, after in zip(section, section[1:]):
        assert after.char_start < before.char_end  # overlap
        assert after.char_end > before.char_end  # and progress
        assert sentence_at(doc, after.char_start)[0] == after.char_start  # starting a sentence
        shared = doc.text[after.char_start:before.char_end]
        assert bundled_embedder.count([shared])[0] <= 2 * 40


def test_chunk_ids_are_stable_across_runs(docs_dir, bundled_embedder):
    path = docs_dir / "青禾县投资指南.pdf"
    first = chunk_document(load(path), "guide", bundled_embedder, 80, 24)
    again = chunk_document(load(path), "guide", bundled_embedder, 80, 24)
    assert [(c.id, c.text, c.page) for c in first] == [(c.id, c.text, c.page) for c in again]
    assert all(c.id.startswith("guide-") and c.doc_id == "guide" for c in first)
    other = chunk_document(load(path), "other", bundled_embedder, 80, 24)
    assert not {c.id for c in first} & {c.id for c in other}


def test_ids_change_with_the_content(bundled_embedder):
    old = chunk_document(report(), "doc", bundled_embedder, 80, 24)
    edited = report(extra="县委县政府高度重视项目建设。")
    new = chunk_document(edited, "doc", bundled_embedder, 80, 24)
    assert not {c.id for c in old} & {c.id for c in new}


def test_index_text_carries_title_and_heading_path(docx_doc, bundled_embedder):
    chunks = chunk_document(docx_doc, "report", bundled_embedder, 80, 24)
    transport = "".join(F.DOCX_TRANSPORT)
    chunk = next(c for c in chunks if transport in c.text)
    assert chunk.heading_path == (F.DOCX_H1, F.DOCX_H2)
    assert chunk.index_text == f"{F.DOCX_TITLE}\n{F.DOCX_H1} > {F.DOCX_H2}\n{chunk.text}"
    for chunk in chunks:
        assert chunk.title == F.DOCX_TITLE
        assert chunk.index_text.startswith(F.DOCX_TITLE + "\n")
        assert chunk.heading in chunk.index_text
    table = next(c for c in chunks if "镁合金压铸项目 | 投资额: 12.5亿元" in c.text)
    assert table.heading_path == (F.DOCX_H1B,)
    assert table.kind == "table" and F.DOCX_AFTER_TABLE not in table.text


@pytest.mark.parametrize("chunk_tokens", [256, 64, 40])
def test_figures_are_never_split(corpus, bundled_embedder, chunk_tokens):
    numbers = document([
        Block("青禾县投资概况", heading_level=1),
        Block(project_sentences(1, 12)),
        Block("".join(LONG_RUN[i:i + 17] + "总投资12.5亿元增长5.4%" for i in range(0, 700, 17))),
    ])
    for doc in [*corpus, numbers]:
        figures = [m.span() for m in FIGURES.finditer(doc.text)]
        for chunk in chunk_document(doc, "doc", bundled_embedder, chunk_tokens, 16):
            for start, end in figures:
                assert not start < chunk.char_start < end, doc.text[start:end]
                assert not start < chunk.char_end < end, doc.text[start:end]


def test_pdf_chunks_report_their_pages(pdf_doc, bundled_embedder):
    chunks = chunk_document(pdf_doc, "guide", bundled_embedder, 80, 24)
    assert chunks[0].page == 1 and chunks[0].text.startswith(F.PDF_TITLE)
    page_two = next(c for c in chunks if F.PDF_PAGE2[:20] in c.text)
    assert page_two.page == 2
    last = next(c for c in chunks if F.PDF_PAGE3 in c.text)
    assert last.page_end == 3
    for chunk in chunks:
        assert 1 <= chunk.page <= chunk.page_end <= 3


def test_a_heading_is_not_a_chunk_alone(corpus, bundled_embedder):
    for doc in corpus:
        headings = {doc.text[s.start:s.end] for s in doc.spans if s.is_heading}
        for chunk in chunk_document(doc, "doc", bundled_embedder, 96, 16):
            assert not set(chunk.text.split("\n")) <= headings, (doc.source, chunk.text)


# --- with a one-token-per-character counter --------------------------------------------------

def test_heading_shares_the_first_cut_of_a_long_sentence():
    clauses = "，".join(f"第{i}号项目位于工业园区" for i in range(1, 30)) + "。"
    doc = document([Block("青禾概况", heading_level=1), Block("一、园区", heading_level=2), Block(clauses)])
    chunks = chunk_document(doc, "doc", CharCounter(), 50, 10)
    assert chunks[0].text.startswith("青禾概况\n一、园区\n第1号项目")
    assert all(len(c.text) <= 50 for c in chunks)
    assert uncovered(doc, chunks) == []


def test_a_chunk_longer_than_the_model_input_is_embedded_whole(bundled_embedder):
    """all-MiniLM-L6-v2 reads 256 tokens; the tail of a longer passage still moves its vector."""
    head = " ".join(f"The industrial park hosts aluminium smelter number {i}." for i in range(40))
    tails = [" The county also grows chickpeas and millet on terraced farmland.",
             " Hydrogen fuel cell trucks carry coal to the railway station."]
    assert bundled_embedder.count([head])[0] > bundled_embedder.max_tokens
    long = bundled_embedder.embed_documents([head + t for t in tails])
    short = bundled_embedder.embed_documents([head])
    assert long.shape == (2, bundled_embedder.dim)
    assert abs(float(np.linalg.norm(long[0])) - 1) < 1e-5
    assert float(long[0] @ long[1]) < 0.999  # the tails differ, so do the vectors
    farm = bundled_embedder.embed_query("chickpeas and millet farmland")
    assert float(long[0] @ farm) > float(long[1] @ farm)
    assert float(long[0] @ farm) > float(short[0] @ farm)


def test_title_and_heading_path_are_trimmed_in_chunks():
    headings = [Block(f"第{n}级标题", heading_level=n) for n in range(1, 6)]
    doc = document([Block("长" * 100, heading_level=1), *headings, Block("正文内容。")])
    [chunk] = [c for c in chunk_document(doc, "doc", CharCounter(), 256, 64) if "正文内容" in c.text]
    assert chunk.title == "长" * TITLE_MAX_CHARS
    assert chunk.heading_path == ("第3级标题", "第4级标题", "第5级标题")


def test_sections_do_not_share_chunks():
    doc = report()
    for chunk in chunk_document(doc, "doc", CharCounter(), 200, 40):
        paths = {s.heading_path for s in doc.spans if s.start < chunk.char_end and s.end > chunk.char_start
                 and not s.is_heading}
        assert len(paths) <= 1 and paths <= {chunk.heading_path}


# --- split_sentences -------------------------------------------------------------------------

def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_split_sentences_at_chinese_enders_with_closing_quotes():
    text = "青禾县位于山西。总投资12.5亿元！是否达产？已经达产；“项目进展顺利。”他说……还有后文"
    assert sentences(text) == [
        "青禾县位于山西。", "总投资12.5亿元！", "是否达产？", "已经达产；", "“项目进展顺利。”", "他说……", "还有后文",
    ]


def test_split_sentences_keeps_decimals_and_percentages():
    text = "地区生产总值增长5.4%，投资12.5亿元。下一句。"
    assert sentences(text) == ["地区生产总值增长5.4%，投资12.5亿元。", "下一句。"]
    english = "GDP grew 5.4% in 2023. Investment rose."
    assert sentences(english) == ["GDP grew 5.4% in 2023.", "Investment rose."]


def test_split_sentences_offsets_and_white_space():
    assert split_sentences("甲。  乙。 ", start=10) == [(10, 12), (14, 16)]
    assert split_sentences("没有标点的一句话") == [(0, 8)]
    assert split_sentences("  \n ") == []


# --- textclean helpers -----------------------------------------------------------------------

def test_glue_joins_cjk_without_space_and_latin_with_one():
    assert glue("青禾县每年产出8万吨金属镁、15万吨", "镁合金、60万吨白云岩") == "青禾县每年产出8万吨金属镁、15万吨镁合金、60万吨白云岩"
    assert glue("总投资", "12.5亿元") == "总投资12.5亿元"
    assert glue("The county", "exports coal") == "The county exports coal"
    assert glue("develop-", "ment") == "development"
    assert glue("", "青禾县") == "青禾县" and glue("青禾县", "") == "青禾县"


def test_normalize_line():
    assert normalize_line("  青禾县\u3000\u00a0概况\t2023  ") == "青禾县 概况 2023"
    assert normalize_line("青 禾 县 概 况 2023 年", drop_cjk_spaces=True) == "青禾县概况 2023 年"


@pytest.mark.parametrize("line", ["下载", "打印 全屏", "【字号：大 中 小】", "【打印本页】【关闭窗口】", "】", "———", "分享到：微信 微博"])
def test_residue_lines(line):
    assert is_residue(line)


@pytest.mark.parametrize("line", ["青禾县概况", "下载中心开放时间为工作日", "打印机采购项目", "大力发展镁合金产业", "2023"])
def test_content_lines_are_not_residue(line):
    assert not is_residue(line)


@pytest.mark.parametrize("line, level", [
    ("第一章 总则", 1),
    ("第三节 产业布局", 2),
    ("一、综合", 2),
    ("（二）工业", 3),
    ("(三) 投资", 3),
    ("1. 主要指标", 4),
    ("（4）其他", 5),
    ("青禾县概况", 2),
    ("全年全县地区生产总值比上年增长5.4%。", 0),
    ("发布时间：2024-03-15", 0),
    ("其中，第一产业增加值增长4.1%，", 0),
    ("1.5亿元的项目已开工建设并于年内建成投产，带动周边群众就业增收", 0),
])
def test_heading_level(line, level):
    assert heading_level(line) == level


def test_page_numbers():
    for line in ("3", "- 3 -", "第 3 页", "第3页", "3/12", "第 3 页 / 共 12 页", "Page 3 of 12", "p. 3"):
        assert is_page_number(line), line
    for line in ("第三章", "3.5亿元", "2023年"):
        assert not is_page_number(line), line


def test_strip_page_margins_drops_running_header_and_footer():
    bodies = [F.wrap(text, 26) for text in (F.PDF_INTRO, F.PDF_PROJECTS, F.PDF_PAGE2, F.PDF_ACROSS)]
    pages = [["青禾县投资指南 2023", "", *lines, "", f"第 {n} 页"] for n, lines in enumerate(bodies, 1)]
    stripped = strip_page_margins(pages)
    assert stripped == [["", *lines, ""] for lines in bodies]


def test_strip_page_margins_keeps_repeated_lines_inside_pages():
    note = "注：单位为亿元"
    edges = [("煤炭产业", "发展迅速。"), ("镁合金产业", "稳步推进。"), ("文旅产业", "前景广阔。")]
    pages = [["青禾县投资指南", first, note, note, note, last, f"{n}"] for n, (first, last) in enumerate(edges, 1)]
    assert strip_page_margins(pages) == [[first, note, note, note, last] for first, last in edges]


def test_strip_page_margins_on_one_page_drops_only_the_page_number():
    assert strip_page_margins([["青禾县投资指南", "正文。", "- 1 -"]]) == [["青禾县投资指南", "正文。"]]
