"""The server over HTTP (uvicorn on 127.0.0.1, a real index): staff login throttling and
lockout, session tokens, and the limits on uploads. Browser flows are in test_ui_browser.py."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from app import server as server_module
from app.answering.assistant import Assistant
from app.answering.turn import respond
from app.staff.db import utcnow
from app.staff.tables import TurnRow
from app.web.login import SESSION_COOKIE
from app.web.text import LANGUAGE_COOKIE, t

from .ui_server import STAFF_PASSWORD, STAFF_USER, build_index, serve, settings_for

pytestmark = pytest.mark.slow

WRONG = "not the password 青禾县"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_index(tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="module")
def assistant(store: Path) -> Assistant:
    return Assistant.open(settings_for(store))


@pytest.fixture
def start(store, assistant, tmp_path, monkeypatch):
    """start(**settings) -> a running server of its own (its own throttle, sessions and upload cache)."""
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-cache"))

    def starter(**overrides):
        return serve(settings_for(store, **overrides), assistant)
    return starter


def login(client: httpx.Client, password: str = STAFF_PASSWORD, address: str | None = None,
          user: str = STAFF_USER) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post("staff/login", data={"user": user, "password": password}, headers=headers)


def client_for(url: str, **options) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=60, follow_redirects=False, **options)


def test_parallel_wrong_passwords_are_locked_out_and_logged(start, caplog):
    """The probe's case: 50 wrong passwords in parallel. Only the first few are even checked."""
    caplog.set_level(logging.INFO, logger="app.web.login")
    with start(login_max_failures=5) as server, client_for(server.url) as client:
        with ThreadPoolExecutor(max_workers=25) as pool:
            replies = list(pool.map(lambda n: login(client, f"{WRONG}{n}"), range(50)))
        statuses = sorted(r.status_code for r in replies)
        assert statuses == [401] * 5 + [429] * 45
        locked = next(r for r in replies if r.status_code == 429)
        assert t("zh", "login_locked", minutes=15) in locked.text and int(locked.headers["retry-after"]) > 800
        right = login(client)  # the right password, while locked
        assert right.status_code == 429 and SESSION_COOKIE not in right.cookies
    lines = [r.getMessage() for r in caplog.records if r.name == "app.web.login"]
    assert sum("staff login failed" in line for line in lines) == 5
    assert sum("refused (locked)" in line for line in lines) == 46
    assert all(f"user='{STAFF_USER}'" in line and "address=127.0.0.1" in line for line in lines)
    assert not any(WRONG in line or STAFF_PASSWORD in line for line in lines)


def test_an_address_is_locked_for_every_user_name_and_others_are_not(start):
    with start(login_max_failures_per_address=3) as server, client_for(server.url) as client:
        for name in ("guest", "admin", "root"):
            assert login(client, WRONG, "10.1.1.1", user=name).status_code == 401
        assert login(client, address="10.1.1.1").status_code == 429
        ok = login(client, address="10.1.1.2")
        assert ok.status_code == 303 and ok.headers["location"].endswith("/staff/")
        huge = client.post("staff/login", data={"user": STAFF_USER, "password": "x" * 10_000},
                           headers={"X-Forwarded-For": "10.1.1.3"})
        assert huge.status_code == 413  # a login form is small; nothing bigger is read


def test_a_lock_lifts_after_the_lockout(start):
    with start(login_max_failures=2, login_lockout_minutes=0.05) as server, client_for(server.url) as client:
        assert [login(client, WRONG).status_code for _ in range(3)] == [401, 401, 429]
        time.sleep(3.2)
        assert login(client).status_code == 303


def test_every_staff_route_needs_the_session_token(start):
    with start() as server, client_for(server.url) as staff, client_for(server.url) as other:
        reply = login(staff)
        assert reply.status_code == 303
        cookie = reply.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/staff" in cookie
        assert staff.get("staff/").status_code == 200
        assert staff.get("staff/config").status_code == 200
        assert staff.get("staff/session").json() == {"user": STAFF_USER}
        # another client, with no token: the page sends it to the login, every route refuses it
        assert other.get("staff/").headers["location"] == "/staff/login"
        for path in ("staff/config", "staff/gradio_api/info", "staff/gradio_api/queue/data?session_hash=abc"):
            assert other.get(path).status_code == 401, path
        join = other.post("staff/gradio_api/queue/join", json={
            "data": ["zh"], "fn_index": 0, "session_hash": "abc", "event_data": None, "trigger_id": None})
        assert join.status_code == 401
        # logging out ends the token on the server, not just in the browser
        token = staff.cookies[SESSION_COOKIE]
        assert staff.post("staff/logout").headers["location"] == "/staff/login?out=1"
        other.cookies.set(SESSION_COOKIE, token, domain="127.0.0.1", path="/staff")
        assert other.get("staff/config").status_code == 401


def test_a_session_expires(start):
    with start(staff_session_minutes=0.03) as server, client_for(server.url) as client:
        assert login(client).status_code == 303
        assert client.get("staff/config").status_code == 200
        time.sleep(2.2)
        assert client.get("staff/config").status_code == 401
        assert client.get("staff/session").status_code == 401
        assert client.get("staff/").headers["location"] == "/staff/login?expired=1"
        page = client.get("staff/login?expired=1")
        assert t("zh", "session_expired") in page.text


def files(tmp_path: Path, count: int, size: int = 100) -> list[tuple[str, tuple[str, bytes]]]:
    out = []
    for n in range(count):
        out.append(("files", (f"文件{n}.txt", (f"第{n}份。" * size).encode()[:size])))
    return out


def cached(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_anonymous_uploads_are_refused_before_anything_is_written(start, tmp_path):
    cache = tmp_path / "gradio-cache"
    with start() as server, client_for(server.url) as client:
        for path in ("gradio_api/upload", "staff/gradio_api/upload", "gradio_api/process_recording"):
            reply = client.post(path, files=files(tmp_path, 1))
            assert reply.status_code == 403 and reply.text == t("zh", "upload_refused"), path
        english = client.post("gradio_api/upload", files=files(tmp_path, 1),
                              headers={"Accept-Language": "en-US,en;q=0.9"})
        assert english.text == t("en", "upload_refused")
        assert cached(cache) == []
        assert login(client).status_code == 303
        assert client.post("gradio_api/upload", files=files(tmp_path, 1)).status_code == 403  # not the chat's
        ok = client.post("staff/gradio_api/upload", files=files(tmp_path, 2))
        assert ok.status_code == 200 and len(ok.json()) == 2 and len(cached(cache)) == 2
        # an uploaded file is served to staff only, never through the investor chat
        path = ok.json()[0]
        assert client.get(f"staff/gradio_api/file={path}").status_code == 200
        assert client.get(f"gradio_api/file={path}").status_code == 403
        assert httpx.get(f"{server.url}staff/gradio_api/file={path}").status_code == 401


def test_staff_uploads_are_bounded_in_files_size_and_cache(start, tmp_path):
    cache = tmp_path / "gradio-cache"
    with start(max_upload_files=3, max_file_mb=0.01, upload_cache_mb=0.05) as server, \
            client_for(server.url) as client:
        assert login(client).status_code == 303
        many = client.post("staff/gradio_api/upload", files=files(tmp_path, 4))
        assert many.status_code == 413 and many.text == t("zh", "upload_too_many", n=3)
        big = client.post("staff/gradio_api/upload", files=files(tmp_path, 1, size=20_000),
                          cookies={LANGUAGE_COOKIE: "en"})
        assert big.status_code == 413 and big.text == t("en", "upload_too_large", name="文件0.txt", mb="0.01")
        assert cached(cache) == []  # nothing half-written is left
        assert client.post("staff/gradio_api/upload", files=files(tmp_path, 3, size=9_000)).status_code == 200
        assert sum(p.stat().st_size for p in cached(cache)) == 27_000
        full = client.post("staff/gradio_api/upload", files=files(tmp_path, 3, size=9_000))
        assert full.status_code == 507 and full.text == t("zh", "upload_cache_full", mb="0.05")
        # the same body streamed without a length: refused as the bytes come
        body = httpx.Request("POST", server.url, files=files(tmp_path, 3, size=9_000))
        body.read()
        chunks = [body.content[i:i + 4096] for i in range(0, len(body.content), 4096)]
        streamed = client.post("staff/gradio_api/upload", content=iter(chunks),
                               headers={"content-type": body.headers["content-type"]})
        assert streamed.status_code == 507 and streamed.text == t("zh", "upload_cache_full", mb="0.05")
        assert sum(p.stat().st_size for p in cached(cache)) == 27_000


def test_a_running_server_purges_expired_conversations(start, monkeypatch):
    """Retention holds while the server runs, whether or not anyone asks (and open_state
    purged at start)."""
    monkeypatch.setattr(server_module, "PURGE_EVERY", 0.3)
    with start(log_retention_days=7) as server:
        conversations = server.state.conversations
        turn = conversations.turn("web")
        list(respond(server.assistant, None, "青禾县每年能生产多少金属镁？", log=turn))
        assert conversations.logged(turn.id) is not None
        with server.state.database.session() as session:
            session.execute(update(TurnRow).where(TurnRow.id == turn.id).values(at=utcnow() - timedelta(days=8)))
        deadline = time.monotonic() + 10
        while conversations.logged(turn.id) is not None:
            assert time.monotonic() < deadline, "the expired turn was not purged"
            time.sleep(0.1)
