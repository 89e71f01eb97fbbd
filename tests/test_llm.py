"""LLM answers end to end: the real Assistant and LLMClient (llama-index's OpenAILike over the
openai client) against a local OpenAI-compatible server (tests/llm_server.py), over a real
index of a few Chinese and English documents built with the bundled model."""

import re
import time
from pathlib import Path

import pytest

from app.answering.answer import Answer
from app.answering.assistant import Assistant
from app.answering.citations import cited
from app.answering.messages import say
from app.answering.prompts import load_prompt
from app.language.followup import carry_over
from app.settings import Settings
from ingest.sync import sync

from .llm_server import FakeLLM, Reply, Request

MODEL = "fake-qwen"
MAGNESIUM = "青禾县已形成60万吨白云岩、15万吨镁合金、8万吨金属镁产业规模。"
DOCS = {
    "镁工业.txt": "青禾县镁新材料产业概况\n\n青禾县白云岩资源丰富，是全省重要的镁工业基地。"
                  f"{MAGNESIUM}下一步将延伸镁精深加工产业链。\n",
    "氢能.txt": "青禾县氢能产业发展情况\n\n青禾县氢能产业园项目总投资23亿元，建设制氢、储氢和加氢一体化设施。"
                "项目位于青禾县经济技术开发区。\n",
    "杂粮.txt": "青禾县精品杂粮产业\n\n青禾县小杂粮种植面积常年稳定在25万亩以上，主要品种有谷子、荞麦和绿豆。"
                "县里扶持杂粮深加工企业发展。\n",
    "文旅.txt": "青禾县红色文旅资源\n\n青禾县是革命老区，拥有抗战纪念馆等红色旅游景点。"
                "每年接待游客超过八十万人次。\n",
    "magnesium.txt": "Qinghe County magnesium industry\n\nQinghe County has formed an industrial scale of "
                     "600,000 tonnes of dolomite, 150,000 tonnes of magnesium alloy and 80,000 "
                     "tonnes of magnesium metal. The county plans to extend its magnesium processing "
                     "chain.\n",
}
QUESTION = "青禾县金属镁产业规模是多少？"
EN_QUESTION = "What is the scale of magnesium metal in Qinghe County?"
HYDROGEN = "青禾县氢能产业园项目总投资是多少？"
GRAIN = "青禾县小杂粮种植面积有多少？"
UNANSWERABLE = "青禾县机场有几条跑道？"


# fixtures: one index and one server for the module, the server's script reset for each test

@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("llm")
    docs = root / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    report = sync(Settings(_env_file=None, store=root / "store", embed_model="bundled"), [docs])
    assert len(report.added) == len(DOCS) and not report.failed
    return root / "store"


@pytest.fixture(scope="module")
def server():
    with FakeLLM(model=MODEL) as running:
        yield running


@pytest.fixture
def llm(server: FakeLLM) -> FakeLLM:
    server.reset()
    yield server
    assert not server.errors, server.errors  # every request reached the right route, as JSON
    server.reset()  # ends any hang still waiting


def settings_for(store: Path, server: FakeLLM, **extra) -> Settings:
    values = dict(store=store, embed_model="bundled", reranker_model=None,
                  llm_base_url=server.base_url, llm_model=MODEL, llm_timeout=10.0)
    return Settings(_env_file=None, **{**values, **extra})


@pytest.fixture(scope="module")
def assistant(store: Path, server: FakeLLM) -> Assistant:
    return Assistant.open(settings_for(store, server))


@pytest.fixture(scope="module")
def extractive(store: Path, server: FakeLLM) -> Assistant:
    """The same index without an endpoint: the answers the LLM mode falls back to."""
    return Assistant.open(settings_for(store, server, llm_base_url=None))


def same_as_extractive(answer: Answer, extractive: Assistant) -> bool:
    expected = extractive.ask(answer.question)
    assert expected.mode == "extractive" and expected.answered and MAGNESIUM in expected.text
    return (answer.text, [c.to_json() for c in answer.citations]) == (
        expected.text, [c.to_json() for c in expected.citations])


def prompt(assistant: Assistant, purpose: str, language: str) -> tuple[str, str]:
    """The (system, user) templates of a prompt, placeholders left in."""
    return load_prompt(assistant.settings.prompts_dir, purpose, language)


def is_condense(assistant: Assistant, request: Request) -> bool:
    return request.system in (prompt(assistant, "condense", language)[0] for language in ("zh", "en"))


def answer_requests(assistant: Assistant, server: FakeLLM) -> list[Request]:
    return [r for r in server.requests if not is_condense(assistant, r)]


def sources_in(request: Request) -> dict[int, str]:
    """The numbered sources of an answer prompt: n -> '《title》 text'."""
    block = re.search(r"<<<(?:SOURCES BEGIN|资料开始)>>>\n(.*)\n<<<(?:SOURCES END|资料结束)>>>",
                      request.user, re.S).group(1)
    parts = re.split(r"(?:^|\n\n)\[(\d+)\] ", block)
    return {int(n): text for n, text in zip(parts[1::2], parts[2::2])}


def split_stream(items: list) -> tuple[list[str], Answer]:
    *pieces, final = items
    assert isinstance(final, Answer) and all(isinstance(p, str) for p in pieces)
    return pieces, final


# 1. a plain grounded answer, and the prompt it was asked with

@pytest.mark.parametrize("question, reply, needle, language", [
    (QUESTION, "青禾县已形成8万吨金属镁产业规模[1]。", MAGNESIUM, "zh"),
    (EN_QUESTION, "Qinghe County has 80,000 tonnes of magnesium metal [1].",
     "80,000 tonnes of magnesium metal", "en"),
], ids=["zh", "en"])
def test_grounded_answer_cites_the_passage_it_was_given(store, llm, question, reply, needle, language):
    assistant = Assistant.open(settings_for(store, llm, llm_api_key="sk-test"))
    llm.reply = reply
    answer = assistant.ask(question)

    assert (answer.answered, answer.mode, answer.language) == (True, f"llm:{MODEL}", language)
    assert answer.text == reply
    assert (answer.flags, answer.notices, answer.standalone_question) == ([], [], None)
    assert answer.retrieved[0].text.count(needle) == 1  # the right passage came first
    [citation] = answer.citations
    assert citation.n == 1 and citation.text == answer.retrieved[0].text  # verbatim
    assert citation.chunk_id == answer.retrieved[0].id and citation.highlights
    assert all(h in citation.text for h in citation.highlights)

    [request] = llm.requests
    system, user = prompt(assistant, "answer", language)
    assert request.stream and request.model == MODEL and request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert [m["role"] for m in request.messages] == ["system", "user"]
    assert request.system == system  # the rules, in the question's language
    assert user.split("$sources")[0] in request.user
    assert request.user.endswith(user.split("$sources")[1].replace("$question", question))
    sources = sources_in(request)
    assert list(sources) == list(range(1, len(answer.retrieved) + 1))
    for n, passage in enumerate(answer.retrieved, 1):
        assert sources[n] == f"《{passage.meta['title']}》 {passage.text}"


def test_prompt_language_follows_the_question(assistant, llm):
    llm.reply = "NOT FOUND"
    assistant.ask(QUESTION)
    assistant.ask(EN_QUESTION)
    zh, en = llm.requests
    assert "规则" in zh.system and "用中文回答" in zh.system and f"问题：{QUESTION}" in zh.user
    assert "Rules:" in en.system and "Answer in English" in en.system
    assert f"Question: {EN_QUESTION}" in en.user and "规则" not in en.system and "资料" not in en.user


# 2. streaming

def test_stream_yields_pieces_as_they_come_then_the_answer(assistant, llm):
    pieces = ["青禾县已形成", "8万吨", "金属镁", "产业规模[1]", "。"]
    llm.reply = Reply(pieces=pieces, pause=0.3)
    started, arrivals, items = time.monotonic(), [], []
    for item in assistant.stream(QUESTION):
        arrivals.append(time.monotonic() - started)
        items.append(item)
    texts, answer = split_stream(items)

    assert texts == pieces and "".join(texts) == answer.text
    assert answer.answered and answer.mode == f"llm:{MODEL}" and [c.n for c in answer.citations] == [1]
    # the first piece is handed on while the server is still writing the rest
    assert arrivals[-1] - arrivals[0] >= 0.8


def test_ask_returns_the_last_item_of_the_stream(assistant, llm):
    llm.reply = "青禾县氢能产业园项目总投资23亿元[1]。"
    streamed = assistant.stream(HYDROGEN)
    texts, answer = split_stream(list(streamed))
    asked = assistant.ask(HYDROGEN)
    assert answer.text == asked.text == "".join(texts)
    assert [c.chunk_id for c in answer.citations] == [c.chunk_id for c in asked.citations]


# 3. citations to sources that do not exist

def test_citation_to_a_missing_source_is_removed_and_flagged(assistant, llm):
    llm.reply = "青禾县已形成8万吨金属镁产业规模[1][7]，并将延伸镁精深加工产业链[3]。"
    answer = assistant.ask(QUESTION, top_k=3)

    [request] = llm.requests
    assert list(sources_in(request)) == [1, 2, 3]
    assert answer.text == "青禾县已形成8万吨金属镁产业规模[1]，并将延伸镁精深加工产业链[3]。"
    assert "[7]" not in answer.text
    assert answer.flags == ["removed citation [7]: no such source"]
    assert {c.n for c in answer.citations} == set(cited(answer.text)) == {1, 3}
    for citation in answer.citations:
        assert citation.text == answer.retrieved[citation.n - 1].text


def test_only_invalid_citations_means_no_grounded_answer(assistant, llm):
    llm.reply = "青禾县已形成8万吨金属镁产业规模[9]。"
    answer = assistant.ask(QUESTION, top_k=3)
    assert answer.mode == "extractive" and answer.answered
    assert answer.notices == [say("llm_failed", "zh", reason="the answer cited no source")]
    assert "[9]" not in answer.text


# 4. figures the cited passages do not state

def test_figure_not_in_the_cited_passage_is_flagged(assistant, llm):
    llm.reply = "青禾县已形成12万吨金属镁产业规模[1]。"
    answer = assistant.ask(QUESTION)
    assert answer.answered and answer.mode == f"llm:{MODEL}" and answer.text == llm.reply
    assert answer.flags == ["unsupported numbers: 12万"]
    assert answer.notices == [say("unsupported_numbers", "zh", numbers="12万")]


def test_figure_from_an_uncited_passage_is_flagged(assistant, llm):
    # 23亿 is in the index (the hydrogen passage) but not in the passage the answer cites
    def reply(request: Request) -> str:
        n = next(n for n, text in sources_in(request).items() if MAGNESIUM in text)
        return f"青禾县已形成8万吨金属镁产业规模，总投资23亿元[{n}]。"

    llm.reply = reply
    answer = assistant.ask(QUESTION)
    assert answer.flags == ["unsupported numbers: 23亿"]
    assert len(answer.notices) == 1 and "23亿" in answer.notices[0]


@pytest.mark.parametrize("question, reply", [
    (QUESTION, "青禾县已形成80000吨金属镁产业规模[1]。"),
    (QUESTION, "青禾县金属镁产业规模为80,000吨[1]。"),
    (QUESTION, "青禾县已形成八万吨金属镁、十五万吨镁合金产业规模[1]。"),
    (QUESTION, "Qinghe County produces 0.08 million tonnes of magnesium metal [1]."),
    (HYDROGEN, "The hydrogen industrial park has a total investment of 2.3 billion yuan [1]."),
    (HYDROGEN, "青禾县氢能产业园项目总投资二十三亿元[1]。"),
    (HYDROGEN, "该项目总投资23亿元（2.3 billion yuan）[1]。"),
    # words written with a numeral character are not figures
    (GRAIN, "青禾县小杂粮种植面积常年稳定在25万亩以上，是县里的一项重要产业[1]。"),
    (GRAIN, "青禾县小杂粮种植面积稳定在25万亩以上，县里将进一步扶持深加工[1]。"),
], ids=["digits", "thousands-comma", "chinese-numerals", "million", "billion", "二十三亿", "both",
        "一项", "进一步"])
def test_same_value_written_differently_is_not_flagged(assistant, llm, question, reply):
    llm.reply = reply
    answer = assistant.ask(question)
    assert answer.answered and answer.mode == f"llm:{MODEL}" and answer.text == reply
    assert (answer.flags, answer.notices) == ([], [])


# 5, 6. the endpoint fails: the extractive answer, with a notice

def test_timeout_falls_back_to_the_extractive_answer(store, llm, extractive):
    assistant = Assistant.open(settings_for(store, llm, llm_timeout=1.0))
    llm.reply = Reply(hang=30)
    started = time.monotonic()
    texts, answer = split_stream(list(assistant.stream(QUESTION)))
    elapsed = time.monotonic() - started

    assert elapsed < 10
    assert (answer.mode, answer.answered) == ("extractive", True)
    assert answer.notices == [say("llm_failed", "zh", reason="timeout")]
    assert same_as_extractive(answer, extractive) and "".join(texts) == answer.text
    assert answer.citations[0].text == answer.retrieved[0].text
    assert len(llm.requests) == 1  # no retries


def test_stream_that_stalls_midway_ends_in_the_extractive_answer(store, llm, extractive):
    assistant = Assistant.open(settings_for(store, llm, llm_timeout=1.0))
    llm.reply = Reply(pieces=["青禾县已形成", "8万吨", "金属镁产业规模[1]。"], hang=30, hang_after=2)
    started = time.monotonic()
    texts, answer = split_stream(list(assistant.stream(QUESTION)))
    assert time.monotonic() - started < 10
    assert (answer.mode, answer.answered) == ("extractive", True)
    assert answer.notices == [say("llm_failed", "zh", reason="timeout")]
    # the pieces already shown were the model's; the final Answer is what counts
    assert texts == ["青禾县已形成", "8万吨", answer.text] and same_as_extractive(answer, extractive)


def test_server_error_falls_back_to_the_extractive_answer(assistant, llm, extractive):
    llm.reply = Reply(status=500)
    texts, answer = split_stream(list(assistant.stream(QUESTION)))
    assert (answer.mode, answer.answered) == ("extractive", True)
    [notice] = answer.notices
    assert notice.startswith("大模型暂时无法回答（") and "500" in notice
    assert same_as_extractive(answer, extractive) and "".join(texts) == answer.text
    assert len(llm.requests) == 1  # no retries


def test_english_question_gets_an_english_failure_notice(assistant, llm):
    llm.reply = Reply(status=503)
    answer = assistant.ask(EN_QUESTION)
    assert answer.mode == "extractive" and answer.answered
    [notice] = answer.notices
    assert notice.startswith("The language model could not answer (") and "503" in notice


# 7. the model says the sources do not answer

@pytest.mark.parametrize("question, reply, language", [
    (QUESTION, "未找到", "zh"),
    (QUESTION, "未找到。", "zh"),
    (QUESTION, "未找到[1]", "zh"),
    (EN_QUESTION, "NOT FOUND", "en"),
    (EN_QUESTION, "Not found.", "en"),
], ids=["未找到", "未找到。", "未找到[1]", "NOT FOUND", "Not found."])
def test_model_not_found_means_not_answered(assistant, llm, question, reply, language):
    llm.reply = reply
    answer = assistant.ask(question)
    assert (answer.answered, answer.citations, answer.flags) == (False, [], [])
    assert answer.text == say("not_found", language)
    assert answer.mode == f"llm:{MODEL}" and len(llm.requests) == 1


# 8. an answer that cites nothing is not used

def test_uncited_reply_falls_back_to_the_extractive_answer(assistant, llm, extractive):
    llm.reply = "青禾县已形成8万吨金属镁产业规模。"
    answer = assistant.ask(QUESTION)
    assert (answer.mode, answer.answered) == ("extractive", True)
    assert answer.notices == [say("llm_failed", "zh", reason="the answer cited no source")]
    assert same_as_extractive(answer, extractive) and [c.n for c in answer.citations] == [1]


# 9. follow-up questions

HISTORY = [(QUESTION, f"{MAGNESIUM}[1]")]
FOLLOW_UP = "镁合金呢？"
REWRITTEN = "青禾县镁合金产业规模是多少？"


def test_follow_up_is_rewritten_by_the_model_first(assistant, llm):
    def reply(request: Request) -> str:
        if is_condense(assistant, request):
            return f"{REWRITTEN}\n（根据对话记录补全了主语）"  # only the first line counts
        return "青禾县已形成15万吨镁合金产业规模[1]。"

    llm.reply = reply
    answer = assistant.ask(FOLLOW_UP, history=HISTORY)

    condense, ask = llm.requests
    system, user = prompt(assistant, "condense", "zh")
    assert condense.system == system and not condense.stream
    assert condense.user == user.replace("$history", f"Q: {QUESTION}\nA: {MAGNESIUM}[1]").replace(
        "$question", FOLLOW_UP)
    assert ask.system == prompt(assistant, "answer", "zh")[0] and ask.user.endswith(f"问题：{REWRITTEN}")
    assert (answer.question, answer.standalone_question) == (FOLLOW_UP, REWRITTEN)
    assert answer.answered and answer.mode == f"llm:{MODEL}" and answer.flags == []


def test_history_sent_to_the_model_is_the_last_turns(assistant, llm):
    history = [(f"问题{i}", f"回答{i}") for i in range(6)]
    llm.queue(REWRITTEN)
    llm.reply = "NOT FOUND"
    assistant.ask(FOLLOW_UP, history=history)
    condense = llm.requests[0]
    assert "问题1" not in condense.user
    assert all(f"Q: 问题{i}\nA: 回答{i}" in condense.user for i in range(2, 6))


@pytest.mark.parametrize("failure", [Reply(status=500), Reply(""), Reply(hang=30)],
                         ids=["http-500", "empty", "timeout"])
def test_failed_rewrite_falls_back_to_carrying_the_subject_over(store, llm, failure):
    assistant = Assistant.open(settings_for(store, llm, llm_timeout=1.0))
    expected = carry_over(FOLLOW_UP, QUESTION)
    assert expected != FOLLOW_UP
    llm.reply = lambda request: (failure if is_condense(assistant, request)
                                 else "青禾县已形成15万吨镁合金产业规模[1]。")

    answer = assistant.ask(FOLLOW_UP, history=HISTORY)

    condense, ask = llm.requests
    assert is_condense(assistant, condense) and ask.user.endswith(f"问题：{expected}")
    assert answer.standalone_question == expected
    assert answer.answered and answer.mode == f"llm:{MODEL}"


# 10. the evidence gate comes before the model

def test_unanswerable_question_never_reaches_the_model(assistant, llm):
    llm.reply = "青禾县机场有两条跑道[1]。"
    answer = assistant.ask(UNANSWERABLE)
    assert llm.requests == [] and answer_requests(assistant, llm) == []
    assert (answer.answered, answer.citations) == (False, [])
    assert answer.text == say("not_found", "zh")


def test_unanswerable_follow_up_gets_only_the_rewrite_request(assistant, llm):
    llm.queue(UNANSWERABLE)
    llm.reply = "青禾县机场有两条跑道[1]。"
    answer = assistant.ask("那机场呢？", history=HISTORY)
    [condense] = llm.requests
    assert is_condense(assistant, condense) and answer_requests(assistant, llm) == []
    assert not answer.answered and answer.standalone_question == UNANSWERABLE


def test_without_an_endpoint_the_answer_is_extractive(extractive, llm):
    answer = extractive.ask(QUESTION, history=HISTORY)
    assert (answer.mode, answer.answered, answer.notices) == ("extractive", True, [])
    assert llm.requests == []


def test_warming_up_reads_questions_without_asking_the_model(assistant, llm):
    """Warming the assistant at start loads what loads on first use; it never calls the LLM."""
    assistant.warm()
    assert llm.requests == []
    answer = assistant.ask(QUESTION)
    assert len(llm.requests) == 1 and answer.mode == "llm:fake-qwen"  # a real question still reaches it
