"""Fixture documents written on the fly: each function writes one file and returns its path.

The texts are invented; the constants let tests assert on exact substrings. PDFs use reportlab's
built-in CID font STSong-Light: reportlab cannot embed the CFF outlines of Noto Sans CJK, and pypdf
extracts STSong-Light text exactly.
"""

import random
from pathlib import Path

import docx
from docx.oxml.ns import qn
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def wrap(text: str, width: int) -> list[str]:
    """Cut a paragraph into lines of `width` characters, mid-sentence, as a typesetter would."""
    return [text[i:i + width] for i in range(0, len(text), width)]


# --- PDF -------------------------------------------------------------------------------------

PDF_HEADER = "青禾县投资指南 2023"
PDF_TITLE = "青禾县招商引资项目概况"
PDF_WIDTH = 26  # characters per line
PDF_INTRO = (
    "青禾县地处太行山西麓，清漳河穿境而过，是全省有名的山区农业县之一。全县白云岩、石灰岩等"
    "非金属矿产储量丰富，交通区位条件近年来明显改善，为承接产业转移打下了良好基础。"
)
PDF_PROJECTS = (
    "近年来，青禾县坚持项目为王，围绕煤焦镁一体化发展方向谋划实施了一批重点产业项目，其中镁合金"
    "压铸项目总投资12.5亿元，预计达产后年产值可达30亿元，带动就业两千余人。"
)
PDF_HEADING_2 = "一、重点产业园区"
PDF_PAGE2 = (
    "二〇二三年全县地区生产总值同比增长5.4%，规模以上工业增加值持续增长。新建的物流园区占地"
    "约1200亩，可为入驻企业提供仓储、运输和信息服务，园区内道路、供水和供电设施已经全部建成。"
)
PDF_ACROSS = (  # starts on page 2, ends on page 3
    "园区管委会实行一站式服务，企业从签约到开工所需的各项审批手续均可在园区内集中办理，审批"
    "时限比法定时限压缩一半以上，并为重点项目配备专职代办员，全程跟踪协调解决项目建设中遇到的"
    "用地、用水、用电等实际问题，确保项目早落地、早投产、早见效。"
)
PDF_PAGE3 = "欢迎海内外客商来青禾县考察投资，共谋发展，共享机遇。"


def chinese_pdf_pages(width: int = PDF_WIDTH) -> list[list[str]]:
    """Body lines of the default PDF, page by page (without header and footer)."""
    across = wrap(PDF_ACROSS, width)
    return [
        [PDF_TITLE, *wrap(PDF_INTRO, width), *wrap(PDF_PROJECTS, width)],
        [PDF_HEADING_2, *wrap(PDF_PAGE2, width), *across[:3]],
        [*across[3:], *wrap(PDF_PAGE3, width)],
    ]


def write_chinese_pdf(
    path: Path, pages: list[list[str]] | None = None, header: str | None = PDF_HEADER,
    footer: str | None = "第 {page} 页", outlined_title: bool = False,
) -> Path:
    """A PDF with a text layer: one line per drawString, header and footer on every page. With
    `outlined_title`, the title is drawn as shapes (as when a designer turned it to outlines)."""
    pages = chinese_pdf_pages() if pages is None else pages
    pdf = canvas.Canvas(str(path), pagesize=A4)
    _, height = A4
    for number, lines in enumerate(pages, start=1):
        if header:
            pdf.setFont(CJK_FONT, 9)
            pdf.drawString(72, height - 40, header)
        y = height - 90
        for index, line in enumerate(lines):
            big = number == 1 and index == 0
            pdf.setFont(CJK_FONT, 18 if big else 12)
            if big and outlined_title:
                for i in range(len(line)):
                    pdf.rect(72 + 20 * i, y, 16, 16, fill=1)
            else:
                pdf.drawString(72, y, line)
            y -= 30 if big else 18
        if footer:
            pdf.setFont(CJK_FONT, 9)
            pdf.drawString(280, 30, footer.format(page=number))
        pdf.showPage()
    pdf.save()
    return path


def write_scanned_pdf(path: Path, pages: int = 2, page_numbers: bool = False) -> Path:
    """A PDF of page images and shapes only, as a scanner makes: no text layer but, if asked,
    page numbers stamped as text."""
    image = Image.new("L", (400, 300), 255)
    draw = ImageDraw.Draw(image)
    for y in range(20, 280, 16):
        draw.rectangle((20, y, 380, y + 8), fill=40)  # looks like lines of print
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number in range(1, pages + 1):
        if page_numbers:
            pdf.setFont("Helvetica", 9)
            pdf.drawString(280, 30, f"- {number} -")
        pdf.drawImage(ImageReader(image), 72, 300, width=400, height=300)
        pdf.rect(60, 60, 470, 700)
        pdf.line(72, 120, 520, 120)
        pdf.showPage()
    pdf.save()
    return path


def write_encrypted_pdf(path: Path, user_password: str = "secret", owner_password: str = "owner") -> Path:
    """The default Chinese PDF, AES-encrypted; an empty user password opens without one."""
    plain = write_chinese_pdf(path.with_name(path.stem + "-plain.pdf"))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    with path.open("wb") as out:
        writer.write(out)
    plain.unlink()
    return path


def write_corrupt_pdf(path: Path, seed: int = 7) -> Path:
    """A PDF header followed by random bytes."""
    path.write_bytes(b"%PDF-1.7\n" + random.Random(seed).randbytes(4096))
    return path


def write_truncated_pdf(path: Path) -> Path:
    """The first third of a valid PDF: no cross-reference table, no trailer, cut page streams."""
    data = write_chinese_pdf(path).read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


# --- Word ------------------------------------------------------------------------------------

DOCX_TITLE = "青禾县营商环境报告"
DOCX_H1 = "第一章 投资环境"
DOCX_H2 = "一、交通条件"
DOCX_INTRO = "青禾县地处太行山区，资源富集，近年来营商环境持续优化。"
DOCX_TRANSPORT = ("县城至太原的高速公路已经全线贯通，", "铁路货运专线直达园区，物流成本明显下降。")
DOCX_H1B = "第二章 重点项目"
DOCX_TABLE = [("项目名称", "投资额"), ("镁合金压铸项目", "12.5亿元"), ("现代物流园区", "3.2亿元")]
DOCX_AFTER_TABLE = "以上项目均已完成备案，正在加快推进前期工作。"


def write_docx(path: Path) -> Path:
    """A Word file with Title, Heading 1 and 2 styles, a paragraph with a line break, a table."""
    document = docx.Document()
    document.add_paragraph(DOCX_TITLE, style="Title")
    document.add_heading(DOCX_H1, level=1)
    document.add_paragraph(DOCX_INTRO)
    document.add_heading(DOCX_H2, level=2)
    paragraph = document.add_paragraph(DOCX_TRANSPORT[0])
    paragraph.add_run().add_break()
    paragraph.add_run(DOCX_TRANSPORT[1])
    document.add_heading(DOCX_H1B, level=1)
    table = document.add_table(rows=len(DOCX_TABLE), cols=2)
    for row, values in zip(table.rows, DOCX_TABLE):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph(DOCX_AFTER_TABLE)
    document.save(str(path))
    return path


BULLETIN_TITLE_LINES = ("青禾县", "2024年国民经济和社会发展统计公报")
BULLETIN_BYLINE = "青禾县统计局"
BULLETIN_BODY = "2024年，全县地区生产总值完成86.4亿元，比上年增长5.2%。"


def write_large_type_docx(path: Path, title_lines: tuple[str, ...] = BULLETIN_TITLE_LINES,
                          body_pt: int | None = 16) -> Path:
    """A Word bulletin as counties save them: no Title style, the title set in large type over
    centred lines (two by default), then a byline and body text in the body size (`None`: the
    body's runs say no size, and the document's default is 16 pt)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:sz")[0].set(qn("w:val"), "32")
    document.add_paragraph()
    for text, size in ((line, 22) for line in title_lines):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).font.size = Pt(size)
    for text in (BULLETIN_BYLINE, BULLETIN_BODY):
        document.add_paragraph().add_run(text).font.size = Pt(body_pt) if body_pt else None
    document.save(str(path))
    return path


# --- plain text in several encodings ---------------------------------------------------------

ENCODED_TEXT = (
    "青禾县概况\n"
    "青禾县历史悠久，是革命老区，境内有清漳河抗战纪念馆等红色旅游资源。\n"
    "全县总面积三千余平方公里，辖多个乡镇，常住人口二十余万人。\n"
    "县内清漳河沿岸风光秀美，特色农产品有小杂粮、红枣和沙棘。\n"
)


def write_encoded_text(path: Path, encoding: str, text: str = ENCODED_TEXT) -> Path:
    """`text` in `encoding`; 'utf-8-sig' and 'utf-16' write a byte-order mark."""
    path.write_bytes(text.encode(encoding))
    return path


# --- HTML ------------------------------------------------------------------------------------

HTML_TITLE = "青禾县召开招商引资推进会"
HTML_PAGE_TITLE = "青禾县人民政府门户网站"
HTML_WRAPPED = (
    "会议指出，今年以来全县新签约项目二十个，总投资超过八十亿元，"
    "其中镁合金压铸项目总投资12.5亿元。"
)
HTML_SECOND = "会议要求，各部门要强化服务意识，全力推动项目早开工、早投产。"
HTML_RESIDUE = ("脚本内容", "样式", "政务公开栏目", "版权所有", "下载", "打印", "全屏", "字号")


def write_html(path: Path, with_h1: bool = True, encoding: str = "utf-8") -> Path:
    """A government news page: script, nav, toolbar, heading, paragraphs wrapped in the source."""
    heading = f"<h1>{HTML_TITLE}</h1>" if with_h1 else ""
    wrapped = HTML_WRAPPED.replace("，", "，\n        ", 2)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="{encoding}">
  <title>{HTML_PAGE_TITLE}</title>
  <style>.toolbar {{ color: red; }} /* 样式 */</style>
  <script>var note = "脚本内容";</script>
</head>
<body>
  <nav><a href="/">首页</a> <a href="/zwgk">政务公开栏目</a></nav>
  <div class="toolbar">下载 打印 全屏 【字号：<a>大</a> <a>中</a> <a>小</a>】</div>
  <div class="article">
    {heading}
    <p>{wrapped}</p>
    <p>{HTML_SECOND}</p>
  </div>
  <footer>版权所有 青禾县人民政府</footer>
  <script>document.write("脚本内容");</script>
</body>
</html>
"""
    path.write_bytes(page.encode(encoding))
    return path


# --- Markdown --------------------------------------------------------------------------------

MD_TITLE = "青禾县产业发展概览"
MARKDOWN = f"""# {MD_TITLE}

青禾县以煤焦化工和镁合金为主导产业，
近年来积极发展新能源。

## 重点项目

| 项目名称 | 投资额 |
| --- | --- |
| 镁合金压铸项目 | 12.5亿元 |
| 现代物流园区 | 3.2亿元 |

## 发展目标

- 建成千万吨级煤炭基地
- 打造**镁合金**产业集群

1. 完善园区配套设施
"""


def write_markdown(path: Path) -> Path:
    path.write_text(MARKDOWN, encoding="utf-8")
    return path


# --- plain text scraped from a web page ------------------------------------------------------

ARTICLE_TITLE = "青禾县2023年国民经济和社会发展统计公报"
ARTICLE_CUT = ("“现在,青禾县的镁产业链每年能产出8万吨金属镁、15万吨", "镁合金,开采白云岩60万吨。”县工信局负责人说。")
ARTICLE_LONG_CUT = (
    "全年全县完成固定资产投资比上年增长12.3%，其中工业投资增长20.1%，基础设施投资增长8.7%，房地产开发投资"
    "下降3.5%，民间",
    "投资增长15.2%，投资结构持续优化。",
)
ARTICLE = "\n".join([
    "下载", "打印", "全屏", "收藏", "【字号：", "加大", "还原", "减小", "】",
    ARTICLE_TITLE,
    "发布时间：2024-03-15 来源：青禾县统计局",
    "",
    "一、综合",
    "",
    "初步核算，全年全县地区生产总值比上年增长5.4%。其中，第一产业增加值增长4.1%，第二产业增加值增长"
    "6.0%，第三产业增加值增长4.3%。",
    "",
    "（一）工业",
    "",
    ARTICLE_CUT[0],
    "",
    ARTICLE_CUT[1],
    "",
    "二、投资",
    "",
    ARTICLE_LONG_CUT[0],
    "",
    ARTICLE_LONG_CUT[1],
    "",
    "【打印本页】【关闭窗口】",
]) + "\n"


def write_scraped_article(path: Path) -> Path:
    path.write_text(ARTICLE, encoding="utf-8")
    return path


# --- tables, spreadsheets, scans and images --------------------------------------------------

TABLE_CAPTION = "表5 规模以上工业主要产品产量"
TABLE_ROWS = [
    ("产品名称", "单位", "产量", "比上年增长(%)"),
    ("原煤", "万吨", "5321.6", "4.2"),
    ("金属镁", "万吨", "7.9", "12.7"),
    ("镁合金型材", "吨", "126430", "48.8"),
]
TABLE_BEFORE = "全年规模以上工业主要产品产量保持增长，镁产业链延伸明显，具体情况见下表。"
TABLE_AFTER = "全年全县规模以上工业企业实现利润总额比上年增长6.1%。"
FOOTNOTED = "全年全县地区生产总值比上年增长5.4%[1]，其中第二产业增加值增长6.0%[2]。"
FOOTNOTES = ("[1]地区生产总值按不变价格计算。", "[2]增长速度按可比价格计算。")


def write_table_pdf(path: Path) -> Path:
    """A statistical bulletin page: a paragraph, a caption, a ruled table, footnoted prose."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=11, leading=16, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=24)
    table = Table([list(row) for row in TABLE_ROWS])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), CJK_FONT, 10),
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story = [Paragraph(ARTICLE_TITLE, title), Spacer(0, 12), Paragraph(TABLE_BEFORE, body),
             Spacer(0, 8), Paragraph(TABLE_CAPTION, body), Spacer(0, 4), table, Spacer(0, 8),
             Paragraph(TABLE_AFTER, body), Paragraph(FOOTNOTED, body),
             *(Paragraph(note, body) for note in FOOTNOTES)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


SPANNING_CAPTIONS = ("表2 主要农产品产量", "表4 在建重点项目")
SPANNING_HEADERS = (("产品", "单位", "产量", "比上年增长（%）"), ("类别", "项目名称", "投资额（亿元）", "联系人"))
SPANNING_CROPS = [("粮食", "万吨", "41.2", "3.5"), ("蔬菜", "万吨", "18.6", "-1.2")]
# the category is merged down all three rows; the second row breaks at the page end
SPANNING_PROJECTS = [("工业", "镁合金压铸项目", "12.5", "张青"), ("工业", "氢能装备制造项目", "6.0", "李禾"),
                     ("工业", "光伏组件项目", "3.2", "王川")]


def write_spanning_tables_pdf(path: Path) -> Path:
    """Three pages with two ruled tables that run over a page end, as a word processor prints
    them: the first table's header alone ends page 1, the rest of its last header cell (（%）)
    opening page 2; the second table's header is repeated on page 3, where the rest of a broken
    row comes first and the category cell, merged down, goes on empty."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    _, height = A4
    widths = (90, 70, 80, 110)
    crops, projects = SPANNING_HEADERS
    first_cell = crops[3].removesuffix("（%）")

    def text(y: float, line: str) -> None:
        pdf.setFont(CJK_FONT, 12)
        pdf.drawString(72, y, line)

    text(height - 90, "青禾县农业和重点项目情况")
    text(height - 120, "全年粮食生产保持稳定，主要农产品产量如下。")
    text(140, SPANNING_CAPTIONS[0])
    _ruled(pdf, 72, 120, widths, [(24, [*crops[:3], first_cell])])
    pdf.showPage()
    _ruled(pdf, 72, height - 72, widths, [(18, ["", "", "", "（%）"])] + [(22, list(r)) for r in SPANNING_CROPS])
    text(height - 200, "全县重点项目建设进展顺利，在建项目如下。")
    text(160, SPANNING_CAPTIONS[1])
    first, broken, last = SPANNING_PROJECTS
    _ruled(pdf, 72, 140, widths, [(22, list(projects)), (22, list(first)), (24, [first[0], broken[1][:4], *broken[2:]])],
           merged_down=1)
    pdf.showPage()
    _ruled(pdf, 72, height - 72, widths, [(22, list(projects)), (18, ["", broken[1][4:], "", ""]),
                                          (22, ["", *last[1:]])], merged_down=1)
    text(height - 200, "以上项目均已列入年度计划。")
    pdf.showPage()
    pdf.save()
    return path


def _ruled(pdf: canvas.Canvas, x: float, top: float, widths: tuple[float, ...],
           rows: list[tuple[float, list[str]]], merged_down: int = 0) -> None:
    """A ruled table drawn from `top` down, each cell a rectangle with its text; with
    `merged_down`, the first column's cells from that row on are one cell, with the first one's text."""
    pdf.setFont(CJK_FONT, 10)
    y = top
    for r, (h, cells) in enumerate(rows):
        left = x
        for c, (w, cell) in enumerate(zip(widths, cells)):
            merged = bool(merged_down) and c == 0 and r >= merged_down
            if not merged:
                pdf.rect(left, y - h, w, h)
            if cell and not (merged and r > merged_down):
                pdf.drawString(left + 4, y - h + 6, cell)
            left += w
        y -= h
    if merged_down:
        merged_top = top - sum(h for h, _ in rows[:merged_down])
        pdf.rect(x, y, widths[0], merged_top - y)


MERGED_CAPTION = "表3 重点项目投资情况"
# (category, project, planned, done, place): the category spans rows, 投资额 spans two columns
MERGED_BODY = [
    ("工业", "镁合金压铸项目", "12.5", "8.1", "经济技术开发区"),
    ("工业", "氢能装备制造项目", "6.0", "2.4", "柳湾镇"),
    ("物流", "现代物流园区", "3.2", "3.2", "南岔镇"),
]


def write_merged_docx(path: Path) -> Path:
    """A Word report whose table has a two-row header (merged across and down) and a category
    column merged down its rows, after a caption paragraph."""
    document = docx.Document()
    document.add_paragraph("青禾县重点项目进展报告", style="Title")
    document.add_paragraph("今年以来，全县重点项目建设进展顺利。")
    document.add_paragraph(MERGED_CAPTION)
    table = document.add_table(rows=2 + len(MERGED_BODY), cols=5)
    table.style = "Table Grid"
    head = table.rows[0].cells
    for column, text in ((0, "类别"), (1, "项目名称"), (2, "投资额（亿元）"), (4, "建设地点")):
        head[column].text = text
    for column, text in ((2, "计划"), (3, "完成")):
        table.cell(1, column).text = text
    for column in (0, 1, 4):
        table.cell(0, column).merge(table.cell(1, column))
    table.cell(0, 2).merge(table.cell(0, 3))
    for r, row in enumerate(MERGED_BODY, start=2):
        for column, text in enumerate(row):
            if column or r == 2 or row[0] != MERGED_BODY[r - 3][0]:
                table.cell(r, column).text = text
    table.cell(2, 0).merge(table.cell(3, 0))
    document.add_paragraph("以上项目均按计划推进。")
    document.save(str(path))
    return path


SUBITEM_CAPTION = "表2 青禾县财政收支"
SUBITEM_BODY = [("一般公共预算收入", 0, "18.6"), ("其中：税收收入", 2, "12.1"), ("非税收入", 2, "　6.5"),
                ("一般公共预算支出", 0, "41.2"), ("　　其中：教育", 0, "7.9"), ("　　　　卫生健康", 0, "3.3")]


def write_subitem_docx(path: Path) -> Path:
    """A Word statistical table whose sub-item rows are marked by 其中 and by indentation, set
    as paragraph indents (in characters of 10.5 pt) or typed as full-width spaces."""
    from docx.shared import Pt

    document = docx.Document()
    document.add_paragraph(SUBITEM_CAPTION)
    table = document.add_table(rows=1 + len(SUBITEM_BODY), cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "指标", "绝对数（亿元）"
    for row, (label, indent, value) in zip(table.rows[1:], SUBITEM_BODY):
        row.cells[0].text, row.cells[1].text = label, value
        if indent:
            row.cells[0].paragraphs[0].paragraph_format.first_line_indent = Pt(10.5 * indent)
    document.save(str(path))
    return path


def write_subitem_xlsx(path: Path) -> Path:
    """The same statistical table as an Excel sheet, indented by the cells' alignment."""
    import openpyxl
    from openpyxl.styles import Alignment

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["指标", "绝对数（亿元）"])
    for label, indent, value in SUBITEM_BODY:
        sheet.append([label, value])
        if indent:
            sheet.cell(sheet.max_row, 1).alignment = Alignment(indent=indent)
    book.save(str(path))
    return path


def write_subitem_xls(path: Path) -> Path:
    """The same statistical table as a legacy .xls, indented by the cells' format."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("财政收支")
    sheet.write(0, 0, "指标")
    sheet.write(0, 1, "绝对数（亿元）")
    for r, (label, indent, value) in enumerate(SUBITEM_BODY, start=1):
        style = xlwt.XFStyle()
        style.alignment.inde = indent
        sheet.write(r, 0, label, style)
        sheet.write(r, 1, value)
    book.save(str(path))
    return path


def write_subitem_html(path: Path) -> Path:
    """The same statistical table on a web page, its labels indented with typed full-width spaces."""
    cells = "".join(f"<tr><td>{'　' * indent}{label}</td><td>{value}</td></tr>"
                    for label, indent, value in SUBITEM_BODY)
    path.write_text(f"<html><body><p>{SUBITEM_CAPTION}</p><table><tr><th>指标</th><th>绝对数（亿元）</th></tr>"
                    f"{cells}</table></body></html>", encoding="utf-8")
    return path


PROJECT_SHEET_TITLE = "2024年青禾县招商引资项目清单"
PROJECT_SHEET = [
    ("序号", "项目名称", "总投资（亿元）", "建设地点", "联系单位"),
    (1, "镁合金新材料产业园", 35.5, "青禾县经济技术开发区", "县工信局"),
    (2, "小杂粮食品加工", 2.8, "南岔镇", "县农业农村局"),
    (3, "清漳河文旅康养基地", 12, "东坪镇", "县文旅局"),
]


def write_project_xlsx(path: Path) -> Path:
    """An Excel project list: a title row merged across the sheet, then headers and rows."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "招商项目"
    sheet.append([PROJECT_SHEET_TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PROJECT_SHEET[0]))
    for row in PROJECT_SHEET:
        sheet.append(list(row))
    book.save(str(path))
    return path


NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SCAN_LINES = ("青禾县二〇二三年粮食总产量达到十二万吨。", "工业园区新增入驻企业十五家，同比增长8.5%。")


def page_image(lines: tuple[str, ...] = SCAN_LINES, size: int = 36) -> Image.Image:
    """A white page with Chinese lines set in Noto Sans CJK, as a scanner would see it."""
    from PIL import ImageFont

    font = ImageFont.truetype(NOTO_CJK, size, index=2)  # the SC face of the collection
    image = Image.new("RGB", (1240, 160 + 2 * size * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((80, 80 + 2 * size * i), line, font=font, fill="black")
    return image


def write_project_xls(path: Path) -> Path:
    """The same project list saved as a legacy .xls (Excel 97), title merged across the sheet."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("招商项目")
    sheet.write_merge(0, 0, 0, len(PROJECT_SHEET[0]) - 1, PROJECT_SHEET_TITLE)
    for r, row in enumerate(PROJECT_SHEET, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_page_image(path: Path, lines: tuple[str, ...] = SCAN_LINES) -> Path:
    page_image(lines).save(path)
    return path


def write_table_image(path: Path) -> Path:
    """A scanned bulletin page: a sentence, the caption, a ruled table of TABLE_ROWS, a sentence."""
    from PIL import ImageFont

    size = 30
    font = ImageFont.truetype(NOTO_CJK, size, index=2)
    widths, height = (260, 160, 220, 300), 70
    image = Image.new("RGB", (1240, 900), "white")
    draw = ImageDraw.Draw(image)
    draw.text((80, 60), TABLE_BEFORE[:34], font=font, fill="black")
    draw.text((80, 150), TABLE_CAPTION, font=font, fill="black")
    top, left = 220, 80
    for r, row in enumerate(TABLE_ROWS):
        x = left
        for w, cell in zip(widths, row):
            draw.rectangle((x, top + r * height, x + w, top + (r + 1) * height), outline="black", width=2)
            draw.text((x + 14, top + r * height + 18), cell, font=font, fill="black")
            x += w
    draw.text((80, top + len(TABLE_ROWS) * height + 50), TABLE_AFTER, font=font, fill="black")
    image.save(path)
    return path


def write_mixed_pdf(path: Path, scanned_pages: int = 1) -> Path:
    """Page 1 with a text layer, then `scanned_pages` pages that are only an image of text."""
    page = page_image()
    image, (w, h) = ImageReader(page), page.size
    pdf = canvas.Canvas(str(path), pagesize=A4)
    _, height = A4
    pdf.setFont(CJK_FONT, 12)
    for i, line in enumerate(wrap(PDF_INTRO, PDF_WIDTH)):
        pdf.drawString(72, height - 90 - 18 * i, line)
    pdf.showPage()
    for _ in range(scanned_pages):
        pdf.drawImage(image, 50, height - 300, width=500, height=500 * h / w)
        pdf.showPage()
    pdf.save()
    return path
