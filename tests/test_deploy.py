"""`county-rag serve` as a county runs it, in subprocesses on free ports: started as the README
says and asked with the `openai` client (the README's own snippet, plain and streamed); then
two servers on one Chroma server (`chroma run`) and one PostgreSQL, as behind a reverse proxy:
the same answers, shared logins and feedback, and a document uploaded through one answerable
through the other within seconds."""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest

from app.staff.auth import hash_password

from .ui_server import (
    COUNTY,
    COUNTY_TITLE,
    STAFF_PASSWORD,
    STAFF_USER,
    UPLOAD,
    UPLOAD_FIGURE,
    free_port,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "青禾县每年能生产多少金属镁？"
SIGNING = "青禾县的球墨铸管项目由哪家企业投资？"
UPLOAD_QUESTION = "青禾县绿氢项目的总投资是多少？"
SEEN_WITHIN = 10.0  # seconds for a document indexed through one server to be answered by another


def cli_env(**settings: str) -> dict[str, str]:
    """The environment of a county's shell: offline, the bundled model, these settings."""
    return {**os.environ, "HF_HUB_OFFLINE": "1", "COUNTY_RAG_EMBED_MODEL": "bundled",
            **{f"COUNTY_RAG_{k.upper()}": v for k, v in settings.items()}}


def ingest(folder: Path, store: Path, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "app", "ingest", str(folder), "--store", str(store)],
                          capture_output=True, text=True, env=env, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr


@contextmanager
def serving(store: Path, env: dict[str, str]) -> Iterator[str]:
    """`county-rag serve --store STORE --port P` until the block ends; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve exited with {proc.returncode}: {proc.stdout.read()}")
            try:
                if httpx.get(f"{url}v1/models", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("serve did not start within 180 s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "county.txt").write_text(COUNTY, encoding="utf-8")
    return folder


def readme_snippet() -> str:
    """The README's example of the HTTP API with the openai client, asking our fixture's question
    (the README's example question is about its own county)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "OpenAI(" in block)
    asked = re.sub(r'("content": )"[^"]*"', lambda m: f'{m.group(1)}"{QUESTION}"', block, count=1)
    assert asked != block, "the README's example no longer asks a question in a user message"
    return asked


def test_serve_as_the_readme_says_answers_the_openai_client(tmp_path: Path, docs: Path):
    env = cli_env(store=str(tmp_path / "store"))
    ingest(docs, tmp_path / "store", env)
    with serving(tmp_path / "store", env) as url:
        snippet = readme_snippet().replace("http://127.0.0.1:7860/", url)
        ran = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=120)
        assert ran.returncode == 0, ran.stderr
        # each answer is printed with the list of its sources' titles after it (answers may hold line breaks)
        plain, streamed = ran.stdout.split("']\n", 1)
        assert "金属镁8万吨" in plain and "[1]" in plain and COUNTY_TITLE in plain  # text, then its sources
        assert "金属镁8万吨" in streamed and "[1]" in streamed and COUNTY_TITLE in streamed

        client = openai.OpenAI(base_url=f"{url}v1", api_key="anonymous", max_retries=0, timeout=60)
        reply = client.chat.completions.create(model="county-rag", messages=[{"role": "user", "content": QUESTION}])
        feedback = httpx.post(f"{url}v1/feedback", json={"id": reply.id, "rating": "up", "comment": "清楚"})
        assert feedback.status_code == 200 and feedback.json()["rating"] == "up"
        schema = httpx.get(f"{url}openapi.json").json()
        assert {"/v1/chat/completions", "/v1/models", "/v1/feedback"} <= set(schema["paths"])
        assert httpx.get(f"{url}docs").status_code == 200
        assert "county-rag" in httpx.get(f"{url}v1/widget.js").text


def ask(url: str, question: str):
    client = openai.OpenAI(base_url=f"{url}v1", api_key="anonymous", max_retries=0, timeout=60)
    return client.chat.completions.create(model="county-rag", messages=[{"role": "user", "content": question}])


@pytest.mark.browser
def test_two_servers_share_one_chroma_server_and_one_database(tmp_path: Path, docs: Path, chroma_server: int,
                                                              postgres_url: str, browser):
    env = cli_env(chroma_host="127.0.0.1", chroma_port=str(chroma_server), database_url=postgres_url,
                  staff_users=json.dumps({STAFF_USER: hash_password(STAFF_PASSWORD)}))
    ingest(docs, tmp_path / "a", env)  # into the Chroma server; each app server has its own cache folder
    with serving(tmp_path / "a", env) as one, serving(tmp_path / "b", env) as other:
        for question in (QUESTION, SIGNING):
            first, second = ask(one, question), ask(other, question)
            assert first.model_extra["answered"] and first.choices[0].message.content == second.choices[0].message.content
            assert ([c["chunk_id"] for c in first.model_extra["citations"]]
                    == [c["chunk_id"] for c in second.model_extra["citations"]])
            assert COUNTY_TITLE == first.model_extra["citations"][0]["title"]
        rated = httpx.post(f"{other}v1/feedback", json={"id": first.id, "rating": "down"})
        assert rated.status_code == 200  # an answer given by one server, rated through the other

        logged_in = httpx.post(f"{one}staff/login", data={"user": STAFF_USER, "password": STAFF_PASSWORD})
        assert logged_in.status_code == 303
        cookie = {"cookie": f"county_rag_staff={logged_in.cookies['county_rag_staff']}"}
        assert httpx.get(f"{other}staff/session", headers=cookie).json() == {"user": STAFF_USER}

        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(60_000)
        page.goto(f"{one}staff/login")
        page.locator("#cr-user").fill(STAFF_USER)
        page.locator("#cr-password").fill(STAFF_PASSWORD)
        page.locator("#cr-login-btn").click()
        page.locator("#cr-docs table").wait_for()
        upload = tmp_path / "hydrogen.txt"
        upload.write_text(UPLOAD, encoding="utf-8")
        page.locator("#cr-upload input[type=file]").set_input_files(str(upload))
        page.locator("#cr-upload", has_text="hydrogen").wait_for()
        page.locator("#cr-upload-btn").click()
        page.locator("#cr-upload-status .cr-ok").wait_for()
        indexed = time.monotonic()
        page.close()
        while True:
            reply = ask(other, UPLOAD_QUESTION)
            if reply.model_extra["answered"] and UPLOAD_FIGURE in reply.model_extra["citations"][0]["text"]:
                break
            assert time.monotonic() - indexed < SEEN_WITHIN, reply.choices[0].message.content
            time.sleep(0.5)
        assert "45亿元" in reply.choices[0].message.content
