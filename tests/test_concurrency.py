"""Answering from several threads at once, as the server does (one Assistant for every request)."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gradio_client import Client

from app.staff.db import sqlite_url
from ingest.embedder import Embedder

from .llm_server import FakeLLM, Reply
from .ui_server import serve, settings_for

QUESTION = "青禾县每年能生产多少金属镁？"
LONG = "the county industrial park hosts aluminium smelters and coal power plants " * 60


def test_counting_and_embedding_at_once_give_the_same_results_as_alone(bundled_embedder: Embedder):
    """A query embedding (which truncates to the model's window) and a token count (which must
    not) share one tokenizer: side by side they once gave truncated counts and crashed the model
    with untruncated input."""
    alone_count = bundled_embedder.count([LONG])[0]
    alone_vector = bundled_embedder.embed_query(LONG)
    assert alone_count > bundled_embedder.max_tokens  # long enough to be cut by the model

    def work(i: int) -> list:
        if i % 2:
            return [bundled_embedder.count([LONG])[0] for _ in range(100)]
        return [float(bundled_embedder.embed_query(LONG) @ alone_vector) for _ in range(40)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    counts = [n for i, r in enumerate(results) if i % 2 for n in r]
    similarities = [s for i, r in enumerate(results) if not i % 2 for s in r]
    assert set(counts) == {alone_count}
    assert min(similarities) > 0.999


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


@pytest.mark.slow
def test_the_web_chat_answers_side_by_side_within_the_bound(county_store: Path, tmp_path: Path,
                                                            llm: FakeLLM):
    """COUNTY_RAG_ANSWER_CONCURRENCY=2: two investors' answers stream from the model at once
    (the chat used to answer one question at a time), the third waits for a free slot."""
    arrivals: list[float] = []

    def slow_stream(_request) -> Reply:
        arrivals.append(time.monotonic())
        return Reply(pieces=["青禾县每年可生产金属镁8万吨[1]。"] + ["。"] * 3, pause=1.0)

    llm.reset(slow_stream)
    settings = settings_for(county_store, staff=False, llm_base_url=llm.base_url, llm_model="fake-model",
                            answer_concurrency=2, database_url=sqlite_url(tmp_path))
    with serve(settings) as server:
        clients = [Client(server.url, verbose=False) for _ in range(3)]
        with ThreadPoolExecutor(3) as pool:
            replies = list(pool.map(lambda c: c.predict(QUESTION, "zh", api_name="/ask"), clients))
        for client in clients:
            client.close()
        logged = server.state.conversations.recent()
    assert all("金属镁8万吨" in str(reply) for reply in replies)
    arrivals.sort()
    assert arrivals[1] - arrivals[0] < 2.0  # the second did not wait for the first (4 s) stream
    assert arrivals[2] - arrivals[0] >= 3.0  # the third waited for a free slot
    assert len(logged) == 3 and {t.mode for t in logged} == {"llm:fake-model"}
