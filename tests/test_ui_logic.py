"""The UI's own logic without a browser: escaping, highlights, strings, example questions."""

import html
from types import SimpleNamespace

import pytest

from app.answering.answer import Answer, Citation
from app.answering.provenance import Disclosure, Sentence, sentences
from app.web import ui
from app.web.render import (
    Context,
    Turn,
    answer_html,
    chat_messages,
    docs_table,
    draft_check_html,
    highlighted,
    library_html,
    marked_text,
    message_html,
)
from app.web.text import _TEXTS, language, t

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def citation(**extra) -> Citation:
    values = dict(n=1, chunk_id="c1", source="a<b>.txt", page=3, text="第一句。<b>第二句</b>。第三句。",
                  score=1.0, title=HOSTILE, highlights=["<b>第二句</b>。"])
    return Citation(**{**values, **extra})


def answer(**extra) -> Answer:
    values = dict(question="q", text=f"{HOSTILE}[1]", answered=True, citations=[citation()],
                  retrieved=[], scores=[])
    return Answer(**{**values, **extra})


def test_both_languages_have_the_same_strings():
    assert _TEXTS["zh"].keys() == _TEXTS["en"].keys()


@pytest.mark.parametrize("tag, expected", [("zh-CN", "zh"), ("zh-TW", "zh"), ("en-US", "en"),
                                           ("fr", "en"), (None, "zh"), ("", "zh")])
def test_browser_language_tags(tag, expected):
    assert language(tag) == expected


def test_answer_markup_escapes_everything_untrusted():
    markup = answer_html(answer(), "zh", {1: Context("前<i>文", "后文</div>")}, contact="<a>联系</a>")
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    assert "前&lt;i&gt;文" in markup and "后文&lt;/div&gt;" in markup  # the surrounding text too
    assert html.escape(HOSTILE) in markup
    assert '<sup class="cr-ref">[1]</sup>' in markup
    assert "第3页" in markup


def test_not_found_shows_the_contact_line_and_no_cards():
    markup = answer_html(answer(answered=False, text="没有找到。", citations=[]), "zh", {}, "请联系<招商局>")
    assert "cr-not-found" in markup and "请联系&lt;招商局&gt;" in markup and "cr-card" not in markup


def test_highlights_are_marked_and_escaped():
    out = highlighted("甲。乙<x>。甲。", ["甲。", "乙<x>。", "", "不在段落里。"])
    assert out == ('<mark class="cr-hl">甲。乙&lt;x&gt;。甲。</mark>')
    assert highlighted("一二三", ["二"]) == '一<mark class="cr-hl">二</mark>三'


def test_only_markers_naming_a_citation_become_references():
    out = marked_text("数据[1]，文中的[7]。\n下一行", {1})
    assert out == '数据<sup class="cr-ref">[1]</sup>，文中的[7]。<br>下一行'


def test_chat_messages_show_pending_text_until_the_answer_replaces_it():
    turn = Turn("问<题>", pending="流式文本")
    messages = chat_messages([turn], "zh", {"zh": "联系", "en": "contact"})
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "问&lt;题&gt;" in messages[0]["content"] and "流式文本" in messages[1]["content"]
    turn.answer = answer(text="最终答案[1]")
    content = chat_messages([turn], "en", {"zh": "联系", "en": "contact"})[1]["content"]
    assert "最终答案" in content and "流式文本" not in content and "Sources" in content


def test_approved_answers_are_marked():
    content = answer_html(answer(mode="approved"), "en", {}, "")
    assert "cr-mode-approved" in content and "Approved answer" in content


def test_tables_and_messages_escape_names():
    doc = SimpleNamespace(doc_id="d1", title=HOSTILE, source="x<y>.txt", complete=False, n_chunks=4,
                          visibility="internal")
    table = docs_table([doc], "en")
    assert "<script" not in table and "x&lt;y&gt;.txt" in table and "incomplete" in table
    entry = SimpleNamespace(id="e1", question=HOSTILE, answer=HOSTILE, citations=[{"n": 1}],
                            approved_by="<u>", approved_at="2024")
    assert "<script" not in library_html([entry], "zh") and "<u>" not in library_html([entry], "zh")
    assert "<script" not in message_html(HOSTILE, "error", [HOSTILE])


def test_example_questions_come_from_public_complete_documents(monkeypatch):
    docs = [SimpleNamespace(title="内部规划", visibility="internal", complete=True),
            SimpleNamespace(title="公开指南", visibility="public", complete=True),
            SimpleNamespace(title="半截文件", visibility="public", complete=False),
            SimpleNamespace(title="公开指南", visibility="public", complete=True)]
    monkeypatch.setattr(ui.workspace, "documents", lambda settings: docs)
    settings = SimpleNamespace(example_questions=[])
    assert ui.example_questions(settings, "zh") == [t("zh", "example_from_title", title="公开指南")]
    settings = SimpleNamespace(example_questions=["甲？", "乙？", "丙？", "丁？"])
    assert ui.example_questions(settings, "en") == ["甲？", "乙？", "丙？"]


def test_draft_check_marks_internal_sentences_and_escapes_them():
    text = "公开的句子[1]。<b>内部</b>的句子。员工自己写的。"
    spans = sentences(text)
    marked = [Sentence(a, b, text[a:b], HOSTILE if i == 1 else "") for i, (a, b) in enumerate(spans)]
    check = Disclosure(marked, hidden_citations=[2])
    markup = draft_check_html(text, check, "zh")
    assert "<b>" not in markup and "<script" not in markup
    assert '<mark class="cr-internal">&lt;b&gt;内部&lt;/b&gt;的句子。</mark>' in markup
    assert markup.count("cr-internal-tag") == 1 and "[2]" in markup
    assert t("zh", "internal_warning") in markup
    assert draft_check_html(text, Disclosure(check.sentences[:1], []), "en") == message_html(
        t("en", "public_ok"), "ok")


def test_a_table_passage_shows_as_an_escaped_table_with_the_used_row_marked():
    rows = "\n".join([
        "表2 主要产品产量 | 产品名称: 钢材 | 产量（吨）: 1577693",
        f"表2 主要产品产量 | 产品名称: {HOSTILE} | 产量（吨）: 42",
    ])
    card = answer_html(answer(citations=[citation(text=rows, kind="table", highlights=[rows.splitlines()[0]])]),
                       "zh", {}, "contact")
    table = card[card.index('<table class="cr-table">'):card.index("</table>")]
    assert "<caption>表2 主要产品产量</caption>" in table
    assert "<th>产品名称</th><th>产量（吨）</th>" in table
    assert '<tr class="cr-hl"><td>钢材</td><td>1577693</td></tr>' in table
    assert html.escape(HOSTILE) in table and HOSTILE not in card
    assert "产品名称: 钢材" not in card  # not the raw line


def test_a_passage_read_by_ocr_says_so():
    card = answer_html(answer(citations=[citation(ocr=True)]), "en", {}, "contact")
    assert t("en", "ocr_note") in html.unescape(card)
    assert t("en", "ocr_note") not in html.unescape(answer_html(answer(), "en", {}, "contact"))


def test_uploads_waiting_or_failed_are_listed_escaped_with_reasons_in_the_interface_language():
    from app.staff.upload_status import UploadState

    failed = UploadState(HOSTILE + ".pdf", "failed", "internal", "file too large: 60.0 MB over the 50 MB limit",
                         "too_large", {"size_mb": 60.0, "limit_mb": 50.0})
    odd = UploadState("odd.docx", "failed", None, "cannot read this docx file: XMLSyntaxError: <bad>")
    waiting = UploadState("cut_off.txt", "waiting", "public")
    zh = docs_table([], "zh", [failed, odd, waiting])
    assert "<script" not in zh and "文件过大：60.0 MB，超过 50 MB 的上限" in zh
    assert "XMLSyntaxError: &lt;bad&gt;" in zh  # a reason with no translation, as ingestion said it
    assert "等待建立索引" in zh and "cr-upload-waiting" in zh and "cr-upload-failed" in zh
    assert "file too large: 60.0 MB, over the 50 MB limit" in docs_table([], "en", [failed])


def test_long_names_are_cut_in_the_table_and_whole_in_the_tooltip():
    name = "a" * 190 + "<b>.txt"
    doc = SimpleNamespace(doc_id="d1", title=name, source=name, complete=True, n_chunks=1, visibility="public")
    table = docs_table([doc], "zh")
    assert f'title="{html.escape(name)}"' in table and "<b>" not in table
