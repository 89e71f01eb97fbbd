"""The website widget in Debian's chromium (Playwright): a page served from another origin on
127.0.0.1 embeds the script from the server (as `county-rag serve` builds it), asks, reads the numbered sources and sends
feedback. Documents holding HTML stay text; internal documents never show; a page whose origin
is not allowed gets no answers. Waits are on elements, never on network idle."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.staff.db import sqlite_url
from app.staff.state import AppState

from .ui_server import (
    COUNTY_FIGURE,
    COUNTY_TITLE,
    HOSTILE_TITLE,
    INTERNAL_TITLE,
    free_port,
    serve,
    settings_for,
)

pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 30_000  # ms, for any single wait

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>青禾县投资促进网</title></head>
<body><h1>青禾县招商引资</h1><p>欢迎来青禾县投资。</p>
<script src="{api}/v1/widget.js" defer></script></body></html>
"""


class CountyPage:
    """The county's web page embedding the widget, served on its own port: another origin."""

    def __init__(self, api: str, port: int):
        html = PAGE.format(api=api).encode("utf-8")

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, *_):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.httpd.serve_forever, name="county-page", daemon=True).start()
        self.url = f"http://127.0.0.1:{port}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Site:
    allowed: str  # URL of a page whose origin may call the API
    other: str  # URL of a page whose origin may not
    state: AppState


@pytest.fixture(scope="module")
def site(county_store: Path, tmp_path_factory) -> Iterator[Site]:
    allowed_port, other_port = free_port(), free_port()
    settings = settings_for(county_store, staff=False,
                            database_url=sqlite_url(tmp_path_factory.mktemp("widget-db")),
                            api_origins=[f"http://127.0.0.1:{allowed_port}"])
    with serve(settings) as server:  # the whole server, as `county-rag serve` builds it
        api = server.url.rstrip("/")
        pages = [CountyPage(api, allowed_port), CountyPage(api, other_port)]
        try:
            yield Site(pages[0].url, pages[1].url, server.state)
        finally:
            for page in pages:
                page.stop()


class Widget:
    """A tab on the county's page, with the widget opened; records dialogs and page errors."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url)
        self.page.locator("button.launcher").click()  # CSS locators reach into the shadow root
        self.page.locator(".panel textarea").wait_for()

    def ask(self, question: str):
        """Ask; returns the answer box once it is final (rated, or an error)."""
        answers = self.page.locator(".log .a")
        before = answers.count()
        self.page.locator(".panel textarea").fill(question)
        self.page.locator(".panel textarea").press("Enter")
        answer = answers.nth(before)
        answer.locator(".rate, .error").first.wait_for()
        return answer

    def close(self) -> None:
        """Close the tab, after checking that nothing opened a dialog or threw."""
        dialogs, errors = list(self.dialogs), list(self.errors)
        self.context.close()
        assert not dialogs, f"a dialog opened: {dialogs}"
        assert not errors, f"script errors: {errors}"


@pytest.fixture
def tab(browser, site: Site) -> Iterator[Widget]:
    """The widget on a page whose origin may call the API."""
    opened = Widget(browser, site.allowed)
    yield opened
    opened.close()


def test_answer_with_numbered_sources_and_feedback_from_another_origin(tab: Widget, site: Site):
    answer = tab.ask("青禾县每年能生产多少金属镁？")
    assert "金属镁8万吨" in answer.locator(".text").inner_text()
    assert answer.locator("sup.ref").first.inner_text() == "[1]"
    card = answer.locator("details.card").first
    assert card.locator(".title").inner_text() == COUNTY_TITLE
    assert "county.txt" in card.locator(".where").inner_text()
    answer.locator("sup.ref").first.click()  # a marker opens its source
    highlight = card.locator("mark").first
    highlight.wait_for()
    assert COUNTY_FIGURE in highlight.inner_text()

    answer.locator(".rate button.down").click()
    answer.locator(".comment input").fill("<img src=x onerror=alert(1)>数字和园区公告不一致")
    answer.locator(".comment button").click()
    answer.locator(".thanks").wait_for()
    logged = site.state.conversations.recent(thumbs_down=True)
    assert logged and logged[0].question == "青禾县每年能生产多少金属镁？"
    assert logged[0].comment == "<img src=x onerror=alert(1)>数字和园区公告不一致"
    assert logged[0].session  # the widget's anonymous session id, hashed


def test_a_follow_up_is_read_against_the_conversation(tab: Widget, site: Site):
    assert "河北恒泰铸造有限公司" in tab.ask("青禾县的球墨铸管项目由哪家企业投资？").inner_text()
    assert "4月16日" in tab.ask("这个项目是哪天签约的？").locator(".text").inner_text()
    follow = site.state.conversations.recent(limit=1)[0]
    assert follow.question == "这个项目是哪天签约的？" and "球墨铸管项目" in follow.standalone


def test_html_in_documents_and_questions_stays_text(tab: Widget):
    answer = tab.ask("青禾县红枣种植面积是多少？<img src=x onerror=\"window.__pwned='question'\">")
    assert "12万亩" in answer.locator(".text").inner_text()
    title = answer.locator(".card .title").first.inner_text()
    assert "<script>window.__pwned='title'</script>" in title and HOSTILE_TITLE.startswith(title)
    answer.locator("sup.ref").first.click()
    assert "<img src=x onerror=\"alert('body')\">" in answer.locator(".passage").first.inner_text()
    assert tab.page.locator(".log img, .log script").count() == 0
    assert tab.page.evaluate("() => window.__pwned") is None
    question = tab.page.locator(".log .q").first.inner_text()
    assert question.endswith("<img src=x onerror=\"window.__pwned='question'\">")


def test_internal_documents_never_show(tab: Widget):
    answer = tab.ask("荞麦深加工项目的意向投资方是谁？")
    assert answer.locator(".card").count() == 0
    shown = tab.page.locator(".panel").inner_text()
    assert "晋北丰收" not in shown and INTERNAL_TITLE not in shown


def test_a_page_from_an_origin_not_allowed_gets_no_answer(browser, site: Site):
    other = Widget(browser, site.other)
    try:
        answer = other.ask("青禾县每年能生产多少金属镁？")
        assert "无法连接到服务" in answer.locator(".error").inner_text()
        assert "50万吨" not in answer.inner_text()
    finally:
        other.context.close()  # the browser logs the refused call; nothing else is checked
