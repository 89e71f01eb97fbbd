"""The conversation log seen from both sides, in Debian's chromium: investors' turns are logged
and rated (thumbs and a comment) in the chat; staff find them in the workspace's questions tab,
with the knowledge-gap report, and go from a logged question to its draft in one click. The
same refused question is in `county-rag report gaps`."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from app.web.text import t

from .test_ui_browser import Page, login
from .ui_server import COUNTY_FIGURE, Server, build_index, serve, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ANSWERED = "青禾县每年能生产多少金属镁？"
COMMENT = "想知道<b>镁合金</b>的产能，回答没有单独说明"
REFUSED = "青禾县的天然气管道<img src=x onerror=\"window.__pwned='q'\">什么时候通到园区？"
REFUSED_AGAIN = "青禾县园区的天然气管道接通了吗？"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    store = build_index(tmp_path_factory.mktemp("questions"))
    with serve(settings_for(store, staff=True)) as running:
        yield running


@pytest.fixture
def page(browser, server: Server) -> Iterator[Page]:
    opened = Page(browser, server.url, "zh-CN", "#cr-question textarea", {})
    yield opened
    assert not opened.dialogs and not opened.outside
    opened.close()


def test_investors_rate_answers_and_staff_draft_from_the_questions_tab(server: Server, page: Page):
    # the investor chat: an answer rated down with a comment, and two questions nobody answered
    page.ask(ANSWERED)
    assert COUNTY_FIGURE in page.last_answer.inner_text()
    page.page.locator("#cr-chat button[aria-label='踩']").last.click()
    page.page.locator("#cr-feedback-note .cr-ok").wait_for()
    page.page.locator("#cr-feedback-comment textarea").fill(COMMENT)
    page.page.locator("#cr-feedback-send").click()
    page.page.locator("#cr-feedback-note .cr-ok", has_text=t("zh", "feedback_comment_thanks")).wait_for()
    for question in (REFUSED, REFUSED_AGAIN):
        page.ask(question)
        assert "cr-not-found" in page.last_answer.get_attribute("class")

    turns = {turn.question: turn for turn in server.state.conversations.recent()}
    rated = turns[ANSWERED]
    assert (rated.rating, rated.comment, rated.surface, rated.answered) == ("down", COMMENT, "web", True)
    assert len(rated.session) == 16 and rated.session == turns[REFUSED].session  # one anonymous id
    assert not turns[REFUSED].answered and turns[REFUSED].mode == "extractive"

    # the staff workspace: the questions tab lists them, escaped, and groups the refused ones
    login(page, server)
    page.page.locator("#cr-workspace").wait_for(state="visible")
    page.tab(t("zh", "tab_questions"))
    table = page.page.locator("#cr-questions table.cr-questions")
    table.wait_for()
    assert table.locator("tr.cr-logged").count() == 3
    refused_row = table.locator("tr.cr-refused", has_text="天然气管道<img")
    assert refused_row.locator(".cr-logged-answered").inner_text() == "否"
    down_row = table.locator("tr.cr-judged-wrong")
    assert COMMENT in down_row.locator(".cr-comment").inner_text()  # the tags shown as text
    gap = page.page.locator("#cr-gaps .cr-gap").first
    assert "管道" in gap.locator(".cr-gap-summary").inner_text()
    assert "2 个关于" in gap.locator(".cr-gap-summary").inner_text()
    assert page.page.evaluate("window.__pwned") is None

    page.page.locator("#cr-q-down input").check()  # thumbs-down only
    page.page.locator("#cr-questions tr.cr-logged").nth(1).wait_for(state="detached")
    assert page.page.locator("#cr-questions tr.cr-logged").inner_text().startswith(
        page.page.locator("#cr-questions tr.cr-judged-wrong .cr-logged-time").inner_text())

    # one click on a logged question: the pitch tab opens with it, drafted from all documents
    page.page.locator("#cr-questions tr.cr-judged-wrong button.cr-draft-from").click()
    page.page.locator("#cr-pitch-view .cr-card").first.wait_for()
    assert page.page.locator("#cr-pitch-q textarea").input_value() == ANSWERED
    assert "金属镁8万吨" in page.page.locator("#cr-pitch-answer textarea").input_value()


def test_report_gaps_lists_the_refused_question(server: Server):
    """The same log through the CLI (`county-rag report gaps --json`)."""
    done = subprocess.run([sys.executable, "-m", "app", "report", "gaps", "--json", "--store",
                           str(server.settings.store)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COUNTY_RAG_EMBED_MODEL": "bundled"})
    assert done.returncode == 0, done.stderr
    gaps = json.loads(done.stdout)["gaps"]
    assert any(REFUSED in gap["examples"] and gap["unanswered"] >= 2 for gap in gaps)
