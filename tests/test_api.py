"""The HTTP API through a real uvicorn server on 127.0.0.1, called with the `openai` client
(and httpx for what that client does not send): cited answers plain and streamed, follow-ups,
feedback, roles and leaks, errors, limits, the OpenAPI schema, and LLM streams side by side."""

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openai
import pytest

from app.answering.assistant import Assistant
from app.settings import Settings
from app.staff.api_keys import ApiKeys
from app.staff.approved import ApprovedLibrary
from app.staff.conversations import ConversationLog
from app.staff.db import Database, sqlite_url
from app.staff.state import AppState, open_state

from .api_server import serve_api
from .llm_server import FakeLLM, Reply
from .ui_server import COUNTY_FIGURE, COUNTY_TITLE, INTERNAL_PHRASE, INTERNAL_TITLE, free_port

QUESTION = "青禾县每年能生产多少金属镁？"
SIGNING = "青禾县的球墨铸管项目由哪家企业投资？"
SIGNING_DAY = "这个项目是哪天签约的？"
INTERNAL_QUESTION = "荞麦深加工项目的意向投资方是谁？"
UNANSWERABLE = "青禾县的民用机场是哪年开始通航的？"
ORIGIN = "http://127.0.0.1:9"  # a page allowed to embed the widget (never contacted)


def settings_for(store: Path, db_folder: Path, **extra) -> Settings:
    return Settings(_env_file=None, store=store, embed_model="bundled",
                    database_url=sqlite_url(db_folder), max_question_chars=200,
                    api_max_request_kb=8, api_origins=[ORIGIN], **extra)


@pytest.fixture(scope="module")
def settings(county_store: Path, tmp_path_factory) -> Settings:
    return settings_for(county_store, tmp_path_factory.mktemp("api-db"))


@pytest.fixture(scope="module")
def assistant(settings: Settings) -> Assistant:
    return Assistant.open(settings)


@pytest.fixture(scope="module")
def state(settings: Settings) -> Iterator[AppState]:
    opened = open_state(settings)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def url(settings: Settings, assistant: Assistant, state: AppState) -> Iterator[str]:
    with serve_api(settings, assistant, state) as base:
        yield base


@pytest.fixture(scope="module")
def client(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0, timeout=60)


@pytest.fixture(scope="module")
def staff_client(url: str, state: AppState) -> openai.OpenAI:
    key = state.api_keys.create("hotline-desk")
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=60)


def ask(client: openai.OpenAI, *messages: str, **options):
    """A chat completion for alternating user/assistant messages (the last one the question)."""
    roles = ["user", "assistant"]
    turns = [{"role": roles[i % 2], "content": text} for i, text in enumerate(messages)]
    return client.chat.completions.create(model="county-rag", messages=turns, **options)


def streamed(client: openai.OpenAI, *messages: str, **options) -> tuple[str, dict]:
    """The text of a streamed reply (its deltas joined) and the extra fields of its last chunk."""
    text, last = "", {}
    for chunk in ask(client, *messages, stream=True, **options):
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if chunk.choices and chunk.choices[0].finish_reason:
            last = chunk.model_extra
    return text, last


# --- answers -------------------------------------------------------------------------------

def test_openai_client_gets_a_cited_answer(client: openai.OpenAI, state: AppState):
    reply = ask(client, QUESTION)
    text = reply.choices[0].message.content
    assert "金属镁8万吨" in text and "[1]" in text
    extra = reply.model_extra
    assert extra["answered"] is True and extra["mode"] == "extractive"
    first = extra["citations"][0]
    assert set(first) >= {"n", "chunk_id", "source", "title", "page", "text"}
    assert first["n"] == 1 and first["title"] == COUNTY_TITLE and first["source"] == "county.txt"
    assert COUNTY_FIGURE in first["text"] and first["page"] is None
    logged = {t.id: t for t in state.conversations.recent()}[reply.id]
    assert logged.answer == text and logged.surface == "api" and logged.role == "investor"


def test_streamed_answer_ends_with_citations_then_done(client: openai.OpenAI, url: str):
    text, last = streamed(client, QUESTION)
    assert "金属镁8万吨" in text and "[1]" in text
    assert last["answered"] is True and last["message"]["content"] == text
    assert [c["n"] for c in last["citations"]] == [1] and COUNTY_FIGURE in last["citations"][0]["text"]

    events = [line for line in raw_reply(url, QUESTION, stream=True).splitlines() if line]
    assert events[-1] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["id"] == chunks[0]["id"] for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert "citations" in chunks[-1] and chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_history_is_used_for_a_follow_up(client: openai.OpenAI, state: AppState):
    first = ask(client, SIGNING)
    assert "河北恒泰铸造有限公司" in first.choices[0].message.content
    follow = ask(client, SIGNING, first.choices[0].message.content, SIGNING_DAY)
    alone = ask(client, SIGNING_DAY)
    assert "4月16日" in follow.choices[0].message.content
    logged = {t.id: t for t in state.conversations.recent()}
    assert logged[follow.id].question == SIGNING_DAY and "球墨铸管项目" in logged[follow.id].standalone
    assert logged[alone.id].standalone is None  # without the history, nothing to carry over


def test_unanswerable_question_is_refused_and_logged(client: openai.OpenAI, state: AppState):
    reply = ask(client, UNANSWERABLE, user="visitor-42")
    assert reply.model_extra["answered"] is False and reply.model_extra["citations"] == []
    logged = {t.id: t for t in state.conversations.recent(refused=True)}
    assert reply.id in logged and logged[reply.id].session not in (None, "visitor-42")


def test_models_are_listed(client: openai.OpenAI):
    assert [m.id for m in client.models.list()] == ["county-rag"]


# --- roles: nothing internal reaches an investor -------------------------------------------

def raw_reply(url: str, question: str, stream: bool) -> str:
    """The whole body of a reply, as sent."""
    body = {"messages": [{"role": "user", "content": question}], "stream": stream}
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=60) as response:
        return response.read().decode("utf-8")


def test_internal_documents_reach_staff_keys_only(client, staff_client, url: str):
    for stream in (False, True):
        raw = raw_reply(url, INTERNAL_QUESTION, stream)
        assert "晋北丰收" not in raw and INTERNAL_TITLE not in raw and "荞麦客商" not in raw
    assert ask(client, INTERNAL_QUESTION).model_extra["answered"] is False

    staff = ask(staff_client, INTERNAL_QUESTION)
    assert "晋北丰收食品公司" in staff.choices[0].message.content
    assert staff.model_extra["citations"][0]["title"] == INTERNAL_TITLE
    text, last = streamed(staff_client, INTERNAL_QUESTION)
    assert INTERNAL_PHRASE[:10] in last["citations"][0]["text"] and "晋北丰收" in text


def test_an_approved_answer_citing_an_internal_passage_is_not_given_to_investors(
        client, staff_client, assistant: Assistant, state: AppState):
    draft = assistant.ask(INTERNAL_QUESTION, role="staff")  # as the staff workspace drafts it
    state.library.add(INTERNAL_QUESTION, draft.text, [c.to_json() for c in draft.citations], "alice")
    try:
        assert ask(staff_client, INTERNAL_QUESTION).model_extra["mode"] == "approved"
        investor = ask(client, INTERNAL_QUESTION)
        assert investor.model_extra["mode"] != "approved"
        assert "晋北丰收" not in investor.choices[0].message.content
    finally:
        for entry in state.library.entries():
            state.library.delete(entry.id)


def test_a_wrong_api_key_is_refused_not_downgraded(url: str):
    bad = openai.OpenAI(base_url=f"{url}/v1", api_key="crk_0123456789ab_" + "x" * 43, max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="API key is not valid"):
        ask(bad, QUESTION)


# --- feedback ------------------------------------------------------------------------------

def test_feedback_is_recorded_by_answer_id(client: openai.OpenAI, url: str, state: AppState):
    reply = ask(client, QUESTION)
    up = httpx.post(f"{url}/v1/feedback", json={"id": reply.id, "rating": "up"})
    assert up.status_code == 200 and up.json() == {"id": reply.id, "rating": "up", "recorded": True}
    down = httpx.post(f"{url}/v1/feedback", json={"id": reply.id, "rating": "down",
                                                   "comment": "<b>数字</b>过时了"})
    assert down.status_code == 200
    logged = {t.id: t for t in state.conversations.recent(thumbs_down=True)}[reply.id]
    assert (logged.rating, logged.comment) == ("down", "<b>数字</b>过时了")

    unknown = httpx.post(f"{url}/v1/feedback", json={"id": "nope", "rating": "up"})
    assert unknown.status_code == 404 and "no answer with id 'nope'" in unknown.json()["error"]["message"]
    bad = httpx.post(f"{url}/v1/feedback", json={"id": reply.id, "rating": "meh"})
    assert bad.status_code == 400 and bad.json()["error"]["message"].startswith("rating:")


# --- errors and limits ---------------------------------------------------------------------

@pytest.mark.parametrize("body, status, message", [
    (b"{not json", 400, "the request body is not valid JSON"),
    (json.dumps({"model": "x"}).encode(), 400, "messages: Field required"),
    (json.dumps({"messages": []}).encode(), 400, "messages: List should have at least 1 item"),
    (json.dumps({"messages": [{"role": "user", "content": "问题"},
                              {"role": "assistant", "content": "回答"}]}).encode(),
     400, 'the last message must be the question'),
    (json.dumps({"messages": [{"role": "user", "content": "   "}]}).encode(),
     400, 'the last message must be the question'),
    (json.dumps({"messages": [{"role": "user", "content": "青" * 201}]}).encode(),
     400, "the question is 201 characters long; at most 200 are accepted"),
    (json.dumps({"messages": [{"role": "user", "content": "青" * 100}] * 40}).encode(),
     413, "the request body is too large (at most 8 KB)"),
])
def test_bad_requests_get_a_json_error_with_the_reason(url: str, body: bytes, status: int, message: str):
    response = httpx.post(f"{url}/v1/chat/completions", content=body,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.json()["error"]["message"].startswith(message)


def test_a_body_sent_in_chunks_is_cut_off_at_the_limit(url: str):
    def body() -> Iterator[bytes]:
        yield b'{"messages": [{"role": "user", "content": "'
        for _ in range(20):
            yield "青".encode() * 300
        yield b'"}]}'

    response = httpx.post(f"{url}/v1/chat/completions", content=body(),
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "too large" in response.json()["error"]["message"]


def test_question_too_long_reaches_the_openai_client_as_a_message(client: openai.OpenAI):
    with pytest.raises(openai.BadRequestError, match="at most 200 are accepted"):
        ask(client, "青" * 300)


def test_unknown_path_is_a_json_404(url: str):
    response = httpx.get(f"{url}/v1/embeddings")
    assert response.status_code == 404 and "no GET /v1/embeddings" in response.json()["error"]["message"]


def test_openapi_schema_describes_the_api(url: str):
    schema = httpx.get(f"{url}/openapi.json").json()
    assert {"/v1/chat/completions", "/v1/models", "/v1/feedback"} <= set(schema["paths"])
    assert "ChatCompletion" in schema["components"]["schemas"]
    assert "citations" in schema["components"]["schemas"]["ChatCompletion"]["properties"]


def test_only_configured_origins_may_call_from_a_browser(url: str):
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    allowed = httpx.options(f"{url}/v1/chat/completions", headers={"Origin": ORIGIN, **preflight})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == ORIGIN
    other = httpx.options(f"{url}/v1/chat/completions",
                          headers={"Origin": "http://127.0.0.1:8", **preflight})
    assert "access-control-allow-origin" not in other.headers
    script = httpx.get(f"{url}/v1/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")


# --- LLM mode: streamed pieces as the model writes them, many answers at once --------------

@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


@pytest.fixture(scope="module")
def llm_url(county_store: Path, tmp_path_factory, llm: FakeLLM, state: AppState) -> Iterator[str]:
    settings = settings_for(county_store, tmp_path_factory.mktemp("llm-db"),
                            llm_base_url=llm.base_url, llm_model="fake-model", answer_concurrency=2)
    with serve_api(settings, Assistant.open(settings), open_state(settings)) as base:
        yield base


def test_llm_answer_streams_piece_by_piece(llm: FakeLLM, llm_url: str):
    llm.reset(Reply(pieces=["青禾县每年可生产", "金属镁8万吨", "、镁合金15万吨[1]。"], pause=0.3))
    client = openai.OpenAI(base_url=f"{llm_url}/v1", api_key="unused", max_retries=0)
    deltas, last = [], {}
    for chunk in ask(client, QUESTION, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            deltas.append(chunk.choices[0].delta.content)
        if chunk.choices and chunk.choices[0].finish_reason:
            last = chunk.model_extra
    assert deltas == ["青禾县每年可生产", "金属镁8万吨", "、镁合金15万吨[1]。"]
    assert last["mode"] == "llm:fake-model" and last["answered"] is True
    assert COUNTY_FIGURE in last["citations"][0]["text"]


def test_final_text_replaces_a_draft_the_checks_changed(llm: FakeLLM, llm_url: str):
    llm.reset("青禾县每年可生产金属镁8万吨[1][7]。")  # [7]: no such source
    client = openai.OpenAI(base_url=f"{llm_url}/v1", api_key="unused", max_retries=0)
    text, last = streamed(client, QUESTION)
    assert "[7]" in text and last["message"]["content"] == "青禾县每年可生产金属镁8万吨[1]。"


def test_streams_proceed_side_by_side_within_the_bound(llm: FakeLLM, llm_url: str):
    """answer_concurrency=2: two answers stream at once, the third waits for a slot."""
    arrivals: list[float] = []  # when each request reached the model

    def slow_stream(_request) -> Reply:
        arrivals.append(time.monotonic())
        return Reply(pieces=["青禾县每年可生产金属镁8万吨[1]。"] + ["。"] * 3, pause=1.0)

    llm.reset(slow_stream)
    clients = [openai.OpenAI(base_url=f"{llm_url}/v1", api_key="unused", max_retries=0)
               for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        replies = list(pool.map(lambda c: streamed(c, QUESTION), clients))
    assert all(last["answered"] for _, last in replies)
    arrivals.sort()
    assert arrivals[1] - arrivals[0] < 2.0  # the second did not wait for the first (4 s) stream
    assert arrivals[2] - arrivals[0] >= 3.0  # the third waited for a free slot


def test_with_the_database_out_of_reach_investors_still_get_answers(settings: Settings,
                                                                      assistant: Assistant, caplog):
    """Approved answers, the log and feedback are unavailable; answers are not. Callers are not
    told where the database is."""
    gone = Database(f"postgresql+psycopg://county:pw@127.0.0.1:{free_port()}/app?connect_timeout=2")
    state = AppState(gone, ApprovedLibrary(gone), ConversationLog(gone, 30), ApiKeys(gone))
    with serve_api(settings, assistant, state) as base:
        client = openai.OpenAI(base_url=f"{base}/v1", api_key="unused", max_retries=0, timeout=60)
        reply = ask(client, QUESTION)
        assert "金属镁8万吨" in reply.choices[0].message.content
        text, last = streamed(client, QUESTION)
        assert "金属镁8万吨" in text and last["answered"]
        feedback = httpx.post(f"{base}/v1/feedback", json={"id": reply.id, "rating": "up"})
        staff = openai.OpenAI(base_url=f"{base}/v1", api_key="crk_0123456789ab_" + "y" * 43,
                              max_retries=0)
        with pytest.raises(openai.InternalServerError, match="unavailable right now"):
            ask(staff, QUESTION)  # its key cannot be checked
    assert feedback.status_code == 503 and feedback.json()["error"]["code"] == "unavailable"
    assert "127.0.0.1" not in feedback.text and "county" not in feedback.text
    assert "cannot open the app database" in caplog.text
