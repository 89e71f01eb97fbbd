"""Approved answers are judged on their text: wording from internal documents never reaches
investors, whatever the [n] markers say (real index, bundled model)."""

from pathlib import Path

import pytest

from app.answering.assistant import Assistant
from app.answering.provenance import disclosure, sentences, sources
from app.answering.turn import respond
from app.settings import Settings
from app.staff import workspace
from app.staff.approved import ApprovedLibrary
from app.staff.db import Database, sqlite_url

PUBLIC = "青禾县荞麦产业介绍\n\n青禾县荞麦种植面积达到3万亩，建成荞麦深加工生产线2条。"
SECRET = "青禾县荞麦深加工二期项目的意向投资方为晋北丰收食品公司，拟投资8亿元，尚未公开。"
INTERNAL = f"荞麦招商洽谈记录\n\n{SECRET}"
TOURISM = "青禾县红色文旅资源\n\n清漳河抗战纪念馆是青禾县重要的红色旅游景点，每年接待游客20万人次。"
QUESTION = "青禾县荞麦深加工有哪些项目？"
REPORT = "青禾县2024年国民经济统计公报\n\n全县地区生产总值增长5.2%，规模以上工业增加值增长6.1%。"
FORECAST = "青禾县2025年经济运行内部研判\n\n全县地区生产总值增长3.8%，规模以上工业增加值增长4.4%。"


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("provenance")
    settings = Settings(_env_file=None, store=root / "store", embed_model="bundled")
    for name, text, visibility in (("chickpea.txt", PUBLIC, "public"), ("tourism.txt", TOURISM, "public"),
                                   ("report.txt", REPORT, "public"), ("talks.txt", INTERNAL, "internal"),
                                   ("forecast.txt", FORECAST, "internal")):
        path = root / name
        path.write_text(text, encoding="utf-8")
        assert workspace.upload(settings, [path], visibility).added == [name]
    return settings


@pytest.fixture(scope="module")
def assistant(settings: Settings) -> Assistant:
    return Assistant.open(settings)


def test_deleting_the_marker_of_an_internal_passage_does_not_publish_it(assistant, tmp_path: Path):
    """The probe's case: a draft cites an internal passage [1] and a public one [2]; staff delete
    only "[1]" and approve."""
    internal = assistant.ask(QUESTION, role="staff")  # drafted from the internal talks
    public = assistant.ask("青禾县荞麦种植面积有多大？")
    assert [c.source for c in internal.citations] == ["talks.txt"] and "晋北丰收" in internal.text
    assert [c.source for c in public.citations] == ["chickpea.txt"]
    text = internal.text + public.text.replace("[1]", "[2]")
    citations = [c.to_json() for c in internal.citations] + [{**c.to_json(), "n": 2} for c in public.citations]
    library = ApprovedLibrary(Database(sqlite_url(tmp_path)))
    entry = library.add(QUESTION, text.replace("[1]", ""), citations, "alice")
    assert [c["source"] for c in entry.citations] == ["chickpea.txt"]  # only the public card is left

    *_, answer = respond(assistant, library, QUESTION)
    assert answer.mode != "approved"
    shown = answer.text + "".join(c.text + c.title for c in answer.citations)
    assert "晋北丰收" not in shown and "8亿元" not in shown
    *_, staff = respond(assistant, library, QUESTION, role="staff")
    assert staff.mode == "approved"  # staff may see what they approved


def test_staff_sentences_and_public_quotes_are_shown(assistant, tmp_path: Path):
    draft = assistant.ask("青禾县荞麦种植面积有多大？")  # drafted from public documents only
    assert [c.source for c in draft.citations] == ["chickpea.txt"]
    text = draft.text + "青禾县欢迎各地客商前来考察洽谈，共谋发展。"
    library = ApprovedLibrary(Database(sqlite_url(tmp_path)))
    library.add(draft.question, text, [c.to_json() for c in draft.citations], "alice")
    *_, answer = respond(assistant, library, "青禾县荞麦种植面积有多大？")
    assert answer.mode == "approved" and answer.text == text


def test_internal_wording_is_found_without_markers_and_named(assistant):
    text = f"意向投资方是晋北丰收食品公司。{PUBLIC.splitlines()[-1]}[1]欢迎洽谈。"
    found = sources(assistant.retriever, text)
    assert [s.text for s in found] == ["意向投资方是晋北丰收食品公司。", PUBLIC.splitlines()[-1] + "[1]",
                                       "欢迎洽谈。"]
    assert [s.internal_source for s in found] == ["荞麦招商洽谈记录", "", ""]
    assert not disclosure(assistant.retriever, text, [], "investor").allowed
    assert disclosure(assistant.retriever, text, [], "staff").allowed


@pytest.mark.parametrize("joint", ["，", "[1]"])
def test_an_internal_clause_joined_to_a_public_one_is_internal(assistant, joint):
    public = PUBLIC.splitlines()[-1].rstrip("。")  # most of the sentence's words are public
    text = f"{public}{joint}投资方为晋北丰收。"
    assert [s.internal_source for s in sources(assistant.retriever, text)] == ["荞麦招商洽谈记录"]


def test_an_internal_figure_in_words_shared_with_a_public_report_is_internal(assistant):
    internal, public = "全县地区生产总值增长3.8%。", "全县地区生产总值增长5.2%。"  # the same words
    found = sources(assistant.retriever, internal + public)
    assert [s.internal_source for s in found] == ["青禾县2025年经济运行内部研判", ""]


def test_a_document_made_internal_after_approval_withdraws_what_quotes_it(settings, assistant):
    quote = TOURISM.splitlines()[-1]
    assert disclosure(assistant.retriever, quote, [], "investor").allowed
    doc = next(d for d in workspace.documents(settings) if d.source == "tourism.txt")
    workspace.set_visibility(settings, doc.doc_id, "internal")
    try:
        check = disclosure(assistant.retriever, quote, [], "investor")
        assert not check.allowed and check.sentences[0].internal_source == "青禾县红色文旅资源"
    finally:
        workspace.set_visibility(settings, doc.doc_id, "public")


def test_cited_passages_must_still_exist_and_be_visible(assistant):
    draft = assistant.ask(QUESTION, role="staff")
    citations = [c.to_json() for c in draft.citations]
    internal = next(c["n"] for c in citations if c["source"] == "talks.txt")
    check = disclosure(assistant.retriever, "青禾县欢迎投资。", citations, "investor")
    assert check.hidden_citations == [internal]
    gone = [{**citations[0], "chunk_id": "no-such-chunk"}]
    assert disclosure(assistant.retriever, "青禾县欢迎投资。", gone, "staff").hidden_citations == [gone[0]["n"]]


def test_markers_after_a_sentence_end_stay_with_it():
    text = "甲乙丙。[1][2]丁戊己。\n[3]庚辛。"
    assert [text[a:b] for a, b in sentences(text)] == ["甲乙丙。[1][2]", "丁戊己。", "庚辛。"]
