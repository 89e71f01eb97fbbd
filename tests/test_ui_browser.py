"""The Gradio app driven through Debian's chromium (Playwright, sync API) against a real index.

One app with a staff login serves most tests, in file order (the staff tests add a document and
an approved answer that the last investor test relies on); two more apps share its Assistant:
one with no staff logins, one answering through a local OpenAI-compatible server.
Waits are on elements, never on network idle. Screenshots go to COUNTY_RAG_UI_SHOTS or a tmp dir.
"""

import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from app.answering.assistant import Assistant
from app.answering.llm import LLMClient
from app.answering.messages import say
from app.staff import workspace
from app.web.text import t
from app.web.uploads import upload_cache

from .llm_server import FakeLLM, Reply
from .ui_server import (
    COUNTY_FIGURE,
    COUNTY_TITLE,
    HOSTILE_SENTENCE,
    INTERNAL_PHRASE,
    INTERNAL_TITLE,
    STAFF_PASSWORD,
    STAFF_USER,
    UPLOAD,
    UPLOAD_FIGURE,
    UPLOAD_TITLE,
    Server,
    build_index,
    serve,
    settings_for,
)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 30_000  # ms, for any single wait

MAGNESIUM_QUESTION = "青禾县每年能生产多少金属镁？"
PITCH_QUESTION = "青禾县绿氢项目的总投资是多少？"
APPROVED_TEXT = "青禾县规划建设年产2万吨绿氢项目，总投资45亿元[1]。项目已列入县重点招商清单，欢迎洽谈。"


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_index(tmp_path_factory.mktemp("ui"))


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[Server]:
    with serve(settings_for(store, staff=True)) as running:
        yield running


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("COUNTY_RAG_UI_SHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Page:
    """A browser tab on the app that records dialogs and requests leaving 127.0.0.1."""

    def __init__(self, browser, url: str, locale: str, ready: str, headers: dict[str, str]):
        self.context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900},
                                           accept_downloads=True, extra_http_headers=headers)
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("request", self._request)
        self.goto(url, ready)

    def goto(self, url: str, ready: str = "#cr-question textarea") -> None:
        self.page.goto(url)
        self.page.locator(ready).wait_for()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            self.outside.append(request.url)

    def ask(self, question: str) -> None:
        """Ask in the investor chat; returns once the final answer of this turn is shown."""
        answers = self.page.locator("#cr-chat .cr-answer")
        before = answers.count()
        self.page.locator("#cr-question textarea").fill(question)
        self.page.locator("#cr-send").click()
        self.page.wait_for_function(
            "n => document.querySelectorAll('#cr-chat .cr-answer:not(.cr-pending)').length > n", arg=before)

    @property
    def last_answer(self):
        return self.page.locator("#cr-chat .cr-answer").last

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()

    def shot(self, folder: Path, name: str) -> None:
        self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser) -> Iterator:
    pages: list[Page] = []

    def opener(url: str, locale: str = "zh-CN", ready: str = "#cr-question textarea",
               headers: dict[str, str] | None = None) -> Page:
        pages.append(Page(browser, url, locale, ready, headers or {}))
        return pages[-1]

    yield opener
    for page in pages:
        assert not page.dialogs, f"a dialog opened: {page.dialogs}"
        assert not page.outside, f"requests left the machine: {page.outside}"
        page.close()


def login(page: Page, server: Server, password: str = STAFF_PASSWORD, user: str = STAFF_USER) -> None:
    """Log in on the staff login page (opened when not already there)."""
    if "/staff/login" not in page.page.url:
        page.goto(server.staff_url, ready="#cr-user")
    page.page.locator("#cr-user").fill(user)
    page.page.locator("#cr-password").fill(password)
    with page.page.expect_navigation():
        page.page.locator("#cr-login-btn").click()


def staff_page(open_page, server: Server) -> Page:
    """A logged-in staff workspace."""
    page = open_page(server.staff_url, ready="#cr-user")
    login(page, server)
    page.page.locator("#cr-workspace").wait_for(state="visible")
    page.page.locator("#cr-docs table").wait_for()
    return page


# --- investor chat -------------------------------------------------------------------------

def test_chinese_question_gets_the_figure_and_a_highlighted_source_card(server, open_page, shots):
    page = open_page(server.url)
    page.ask(MAGNESIUM_QUESTION)
    answer = page.last_answer
    assert "金属镁8万吨" in answer.locator(".cr-text").inner_text()
    assert answer.locator(".cr-ref").first.inner_text() == "[1]"
    card = answer.locator(".cr-card").first
    assert card.locator(".cr-card-title").inner_text() == COUNTY_TITLE
    assert card.locator(".cr-card-source").inner_text() == "county.txt"
    highlight = card.locator("mark.cr-hl").first
    assert COUNTY_FIGURE in highlight.inner_text()
    assert "原文摘录" in answer.locator(".cr-mode").inner_text()
    assert say("keyword_led", "zh") in page.page.locator("#cr-header").inner_text()

    context = card.locator(".cr-context-text")
    assert not context.is_visible()
    card.locator("details.cr-context summary").click()
    context.wait_for(state="visible")
    around = context.inner_text()
    passage = card.locator(".cr-passage").inner_text()
    assert COUNTY_FIGURE in around and len(around) > len(passage)  # neighbouring text shown
    page.shot(shots, "01-answer-card-expanded")

    page.ask("签约了几个项目？")  # a follow-up: the first exchange stays, the second is added
    assert page.page.locator("#cr-chat .cr-answered").count() == 2
    assert "签约" in page.last_answer.locator(".cr-text").inner_text()
    assert page.page.locator("#cr-chat .cr-question").nth(0).inner_text() == MAGNESIUM_QUESTION


def test_question_without_an_answer_is_not_found_with_the_contact_line(server, open_page):
    page = open_page(server.url)
    page.ask("青禾县机场有几条跑道？")
    answer = page.last_answer
    assert "cr-not-found" in answer.get_attribute("class")
    assert say("not_found", "zh") in answer.inner_text()
    assert answer.locator(".cr-contact").inner_text() == server.settings.contact_zh
    assert answer.locator(".cr-card").count() == 0


def test_language_switch_changes_the_interface_strings(server, open_page, shots):
    page = open_page(server.url)  # a Chinese browser starts in Chinese
    header = page.page.locator("#cr-header h1")
    assert header.inner_text() == "青禾县投资咨询助手"
    assert page.page.locator("#cr-send").inner_text() == "发送"
    page.page.locator("#cr-lang").get_by_text("English").click()
    page.page.wait_for_function(
        "() => document.querySelector('#cr-header h1').innerText === 'Qinghe County Investment Assistant'")
    assert page.page.locator("#cr-send").inner_text() == "Send"
    assert page.page.title() == "Qinghe County Investment Assistant"
    page.page.get_by_role("tab", name="Investor chat").wait_for(state="visible", timeout=10_000)
    assert "Ask a question" in page.page.locator("#cr-question textarea").get_attribute("placeholder")
    page.shot(shots, "02-english")
    page.page.locator("#cr-lang").get_by_text("中文").click()
    page.page.wait_for_function("() => document.querySelector('#cr-send').innerText === '发送'")


def test_an_english_browser_starts_in_english(server, open_page):
    page = open_page(server.url, locale="en-US")
    page.page.wait_for_function(
        "() => document.querySelector('#cr-header h1').innerText === 'Qinghe County Investment Assistant'")
    assert page.page.locator("#cr-lang input[value=en]").is_checked()
    assert page.page.title() == "Qinghe County Investment Assistant"


def test_html_in_documents_and_questions_is_shown_as_text(server, open_page, shots):
    page = open_page(server.url)
    hostile_question = "青禾县红枣种植面积是多少？<img src=q onerror=\"window.__pwned='question'\"><b>粗体</b>"
    page.ask(hostile_question)
    answer = page.last_answer
    assert "12万亩" in answer.inner_text()
    answer.locator("details.cr-context summary").first.click()
    page.shot(shots, "03-hostile-html")
    assert page.page.evaluate("window.__pwned") is None  # no onerror, no <script> ran
    assert page.page.locator("#cr-chat img, #cr-chat script, #cr-chat b").count() == 0
    chat = page.page.locator("#cr-chat").inner_text()
    assert hostile_question in chat  # the question, literally
    assert "<img src=x onerror=\"alert('body')\">" in chat  # the document's markup, literally
    titles = answer.locator(".cr-card-title").all_inner_texts()
    assert any("<script>window.__pwned='title'</script>" in title for title in titles)
    marks = answer.locator("mark.cr-hl").all_inner_texts()
    assert any(HOSTILE_SENTENCE.split("，")[0] in mark for mark in marks)
    # example questions drawn from the hostile title are plain button text too
    assert page.page.locator(".cr-example", has_text="window.__pwned").count() == 1


def test_internal_documents_never_reach_the_investor_chat(server, open_page):
    page = open_page(server.url)
    page.ask("荞麦深加工项目的意向投资方是哪家公司？")
    answer = page.last_answer
    assert "cr-not-found" in answer.get_attribute("class")
    html = page.page.content()
    for secret in (INTERNAL_TITLE, INTERNAL_PHRASE, "晋北丰收", "荞麦客商跟踪表.txt"):
        assert secret not in html
    examples = page.page.locator(".cr-example")
    assert any(COUNTY_TITLE in examples.nth(i).inner_text() for i in range(examples.count()))


# --- staff workspace -----------------------------------------------------------------------

def test_wrong_password_is_refused(server, open_page):
    page = open_page(server.url)
    page.tab("工作人员")
    page.page.locator("#cr-staff-link a").click()  # the way from the chat to the login
    page.page.locator("#cr-user").wait_for()
    assert page.page.url == f"{server.staff_url}login"
    login(page, server, password="wrong password")
    page.page.locator("#cr-login-msg .cr-error").wait_for()
    assert t("zh", "login_failed") in page.page.locator("#cr-login-msg").inner_text()
    assert page.page.locator("#cr-workspace").count() == 0 and "/staff/login" in page.page.url


def test_staff_upload_pitch_approve_export_then_investors_get_the_approved_answer(
        server, open_page, shots, tmp_path):
    page = staff_page(open_page, server)
    assert STAFF_USER in page.page.locator("#cr-whoami").inner_text()
    docs = page.page.locator("#cr-docs")
    docs.locator(f"tr:has-text('{COUNTY_TITLE}')").wait_for()
    assert docs.locator(f"tr:has-text('{INTERNAL_TITLE}') .cr-doc-visibility").inner_text() == "内部"

    # upload two files at once: one good, one that cannot be read
    good, bad = tmp_path / "hydrogen.txt", tmp_path / "broken.pdf"
    good.write_text(UPLOAD, encoding="utf-8")
    bad.write_bytes(b"this is not a pdf at all")
    page.page.locator("#cr-upload input[type=file]").set_input_files([str(good), str(bad)])
    for stem in ("hydrogen", "broken"):  # the component lists each name as stem + extension
        page.page.locator("#cr-upload", has_text=stem).wait_for()
    page.page.locator("#cr-upload-btn").click()
    status = page.page.locator("#cr-upload-status .cr-warn")
    status.wait_for()
    assert status.locator("li", has_text="broken.pdf: ").count() == 1
    row = docs.locator(f"tr:has-text('{UPLOAD_TITLE}')")
    row.wait_for()
    stored = next(d for d in workspace.documents(server.settings) if d.title == UPLOAD_TITLE)
    assert row.locator(".cr-doc-chunks").inner_text() == str(stored.n_chunks) and stored.n_chunks >= 1
    assert row.locator(".cr-doc-status").inner_text() == "完整"
    page.shot(shots, "04-documents")

    # draft a pitch answer, edit it, approve it
    page.tab("推介答案")
    page.page.locator("#cr-pitch-q textarea").fill(PITCH_QUESTION)
    page.page.locator("#cr-draft").click()
    page.page.locator("#cr-pitch-view .cr-card").first.wait_for()
    draft = page.page.locator("#cr-pitch-answer textarea")
    assert "45亿元" in draft.input_value()
    assert UPLOAD_FIGURE in page.page.locator("#cr-pitch-view mark.cr-hl").first.inner_text()
    draft.fill(APPROVED_TEXT)
    page.page.locator("#cr-approve").click()
    page.page.locator("#cr-approve-msg .cr-ok").wait_for()
    page.shot(shots, "05-pitch")
    entry = server.library.match(PITCH_QUESTION, 1.0)
    assert entry and entry.answer == APPROVED_TEXT and entry.approved_by == STAFF_USER
    assert UPLOAD_FIGURE in entry.citations[0]["text"]

    # export the answer and the library, as Markdown and Word
    page.tab("已审核答案库")
    page.page.locator("#cr-library .cr-entry", has_text=PITCH_QUESTION).wait_for()
    page.page.locator("#cr-export-one-md:not([disabled])").wait_for()
    page.shot(shots, "06-library")
    files = {}
    for button in ("#cr-export-one-md", "#cr-export-one-docx", "#cr-export-all-md", "#cr-export-all-docx"):
        with page.page.expect_download() as download:
            page.page.locator(button).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        files[button] = path
    for button in ("#cr-export-one-md", "#cr-export-all-md"):
        text = files[button].read_text(encoding="utf-8")
        assert APPROVED_TEXT in text and UPLOAD_FIGURE in text and STAFF_USER in text
    for button in ("#cr-export-one-docx", "#cr-export-all-docx"):
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(files[button].read_bytes())).paragraphs)
        assert APPROVED_TEXT in text and UPLOAD_FIGURE in text
    assert files["#cr-export-one-md"].suffix == ".md" and files["#cr-export-one-docx"].suffix == ".docx"

    # the investor chat now answers that question with the approved answer, marked as such
    page.goto(server.url)
    page.ask(PITCH_QUESTION)
    answer = page.last_answer
    assert "cr-mode-approved" in answer.get_attribute("class")
    assert answer.locator(".cr-badge").inner_text() == "已审核答案"
    assert "项目已列入县重点招商清单" in answer.locator(".cr-text").inner_text()
    assert UPLOAD_FIGURE in answer.locator(".cr-card mark.cr-hl").first.inner_text()
    page.shot(shots, "07-approved-in-chat")


def pick(page: Page, dropdown: str, text: str) -> None:
    page.page.locator(f"{dropdown} input").click()
    page.page.get_by_role("option", name=text, exact=False).click()


def test_library_entry_can_be_deleted(server, open_page):
    page = staff_page(open_page, server)
    page.tab("已审核答案库")
    page.page.locator("#cr-library .cr-entry", has_text=PITCH_QUESTION).wait_for()
    pick(page, "#cr-entry-pick", PITCH_QUESTION)
    page.page.locator("#cr-delete-entry").click()
    page.page.locator("#cr-lib-msg .cr-ok").wait_for()
    assert server.library.match(PITCH_QUESTION, 1.0) is None
    page.page.locator("#cr-library .cr-entry").wait_for(state="detached")


def test_document_made_internal_leaves_the_chat_then_is_deleted(server, open_page):
    page = staff_page(open_page, server)
    row = page.page.locator(f"#cr-docs tr:has-text('{UPLOAD_TITLE}')")
    row.wait_for()
    pick(page, "#cr-doc-pick", UPLOAD_TITLE)
    page.page.locator("#cr-make-internal").click()
    page.page.locator("#cr-doc-msg .cr-ok").wait_for()
    assert row.locator(".cr-doc-visibility").inner_text() == "内部"

    page.goto(server.url)  # no approved answer any more, and the only source is now internal
    page.ask(PITCH_QUESTION)
    assert "cr-not-found" in page.last_answer.get_attribute("class")

    page.goto(server.staff_url, ready="#cr-docs table")
    pick(page, "#cr-doc-pick", UPLOAD_TITLE)
    page.page.locator("#cr-delete").click()
    page.page.locator("#cr-confirm-delete").click()
    page.page.locator("#cr-doc-msg .cr-ok", has_text="已删除").wait_for()
    row.wait_for(state="detached")
    assert all(d.title != UPLOAD_TITLE for d in workspace.documents(server.settings))

    page.page.locator("#cr-logout").click()
    page.page.locator("#cr-login-msg .cr-ok").wait_for()  # back on the login form: logged out
    assert t("zh", "logged_out") in page.page.locator("#cr-login-msg").inner_text()
    page.goto(server.staff_url, ready="#cr-user")  # the token is gone: the workspace is closed
    assert page.page.locator("#cr-workspace").count() == 0


def test_internal_wording_pasted_into_an_approved_answer_never_reaches_investors(server, open_page, shots):
    """Internal sentences under a public source card: the draft marks them, approval says
    investors will not see the answer, and they get the assistant's own answer."""
    page = staff_page(open_page, server)
    page.tab("推介答案")
    page.page.locator("#cr-pitch-q textarea").fill(MAGNESIUM_QUESTION)
    page.page.locator("#cr-draft").click()
    page.page.locator("#cr-draft-check .cr-ok", has_text=t("zh", "public_ok")).wait_for()
    draft = page.page.locator("#cr-pitch-answer textarea")
    edited = f"{INTERNAL_PHRASE}。{draft.input_value()}"
    draft.press("Control+Home")  # staff type internal text in front of the public, cited sentence
    draft.press_sequentially(f"{INTERNAL_PHRASE}。")
    draft.press("Tab")  # leaving the box checks it (typed Chinese reaches Gradio as no input event)
    marked = page.page.locator("#cr-draft-check mark.cr-internal")
    marked.wait_for()
    assert marked.inner_text() == f"{INTERNAL_PHRASE}。"
    assert t("zh", "internal_warning") in page.page.locator("#cr-draft-check .cr-warn").inner_text()
    assert INTERNAL_TITLE in page.page.locator("#cr-draft-check .cr-internal-tag").inner_text()
    page.shot(shots, "09-draft-marks-internal")
    page.page.locator("#cr-approve").click()
    page.page.locator("#cr-approve-msg .cr-warn").wait_for()
    saved = page.page.locator("#cr-approve-msg").inner_text()
    assert t("zh", "approved_saved_internal", user=STAFF_USER) in saved
    entry = server.library.match(MAGNESIUM_QUESTION, 1.0)
    assert entry and entry.answer == edited and [c["source"] for c in entry.citations] == ["county.txt"]
    try:
        page.tab("已审核答案库")
        page.page.locator("#cr-library .cr-entry", has_text=MAGNESIUM_QUESTION).locator(
            ".cr-entry-withheld").wait_for()
        page.goto(server.url)
        page.ask(MAGNESIUM_QUESTION)
        answer = page.last_answer
        assert "cr-mode-approved" not in answer.get_attribute("class")
        assert "金属镁8万吨" in answer.locator(".cr-text").inner_text()
        html = page.page.content()
        assert INTERNAL_PHRASE not in html and "晋北丰收" not in html
    finally:
        server.library.delete(entry.id)


def test_repeated_wrong_logins_are_locked_out(server, store, open_page, shots):
    with serve(settings_for(store, login_max_failures=3), server.assistant) as app:
        page = open_page(app.staff_url, ready="#cr-user")
        for _ in range(3):
            login(page, app, password="wrong password")
            assert t("zh", "login_failed") in page.page.locator("#cr-login-msg .cr-error").inner_text()
        login(page, app)  # the right password, now too late
        message = page.page.locator("#cr-login-msg .cr-error").inner_text()
        assert message == t("zh", "login_locked", minutes=15)
        page.goto(app.staff_url, ready="#cr-user")
        assert page.page.locator("#cr-workspace").count() == 0
        page.shot(shots, "10-locked")


def test_a_second_client_cannot_use_a_staff_session(server, open_page):
    """The probe's case: another client sends the logged-in page's session id."""
    page = staff_page(open_page, server)
    with page.page.expect_request(lambda r: "/queue/join" in r.url) as join:
        page.page.locator("#cr-refresh").click()
    body = join.value.post_data_json
    assert body["session_hash"]
    other = open_page(server.url)  # another browser, never logged in
    other.goto(server.staff_url, ready="#cr-user")  # the workspace page leads it to the login
    assert other.page.url == f"{server.staff_url}login"
    statuses = other.page.evaluate("""async (body) => {
        const join = await fetch('/staff/gradio_api/queue/join', {method: 'POST',
            headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
        const data = await fetch('/staff/gradio_api/queue/data?session_hash=' + body.session_hash);
        const config = await fetch('/staff/config');
        return [join.status, data.status, config.status];
    }""", body)
    assert statuses == [401, 401, 401]
    page.page.locator("#cr-refresh").click()  # the staff member's own page still works
    page.page.locator(f"#cr-docs tr:has-text('{COUNTY_TITLE}')").wait_for()


def test_an_expired_session_goes_back_to_the_login(server, store, open_page):
    with serve(settings_for(store, staff_session_minutes=0.1), server.assistant) as app:
        page = staff_page(open_page, app)
        page.page.wait_for_url("**/staff/login?expired=1")  # the page notices within seconds
        assert page.page.locator("#cr-login-msg .cr-warn").inner_text() == t("zh", "session_expired")
        page.goto(app.staff_url, ready="#cr-user")
        assert page.page.locator("#cr-workspace").count() == 0


def test_an_anonymous_upload_post_is_refused(server, open_page):
    page = open_page(server.url)
    name = f"anonymous-{uuid.uuid4().hex}.txt"
    replies = page.page.evaluate("""async (name) => {
        const out = [];
        for (const path of ['gradio_api/upload', 'staff/gradio_api/upload']) {
            const form = new FormData();
            form.append('files', new Blob(['匿名上传'.repeat(1000)]), name);
            const reply = await fetch(path, {method: 'POST', body: form});
            out.push([reply.status, await reply.text()]);
        }
        return out;
    }""", name)
    assert replies == [[403, t("zh", "upload_refused")]] * 2
    assert not list(upload_cache().rglob(name))


def test_too_many_files_for_one_upload_get_a_chinese_message(server, store, open_page, tmp_path):
    with serve(settings_for(store, max_upload_files=2), server.assistant) as app:
        page = staff_page(open_page, app)
        paths = []
        for n in range(3):
            paths.append(tmp_path / f"资料{n}.txt")
            paths[-1].write_text(f"青禾县资料第{n}份。", encoding="utf-8")
        page.page.locator("#cr-upload input[type=file]").set_input_files([str(p) for p in paths])
        page.page.get_by_text(t("zh", "upload_too_many", n=2)).wait_for()
        assert not any(list(upload_cache().rglob(p.name)) for p in paths)


def test_without_staff_logins_the_workspace_says_how_to_enable_it(server, store, open_page, shots):
    settings = settings_for(store, staff=False)
    with serve(settings, server.assistant) as bare:
        page = open_page(bare.url)
        page.tab("工作人员")
        notice = page.page.locator("#cr-staff-disabled")
        notice.wait_for()
        assert "COUNTY_RAG_STAFF_USERS" in notice.inner_text()
        assert "county-rag hash-password" in notice.inner_text()
        assert page.page.locator("#cr-password").count() == 0
        page.shot(shots, "08-staff-disabled")
        page.goto(bare.staff_url, ready="#cr-staff-disabled")  # the staff URL says the same
        assert "COUNTY_RAG_STAFF_USERS" in page.page.locator("#cr-staff-disabled").inner_text()
        assert page.page.locator("#cr-password").count() == 0


# --- answers from a language model, streamed ------------------------------------------------

@pytest.fixture(scope="module")
def llm_server() -> Iterator[FakeLLM]:
    with FakeLLM(model="fake-qwen") as running:
        yield running


def llm_app(server: Server, store: Path, llm: FakeLLM, timeout: float):
    settings = settings_for(store, staff=False, llm_base_url=llm.base_url, llm_model="fake-qwen",
                            llm_timeout=timeout)
    assistant = Assistant(settings, server.assistant.retriever, LLMClient(settings))
    return serve(settings, assistant)


def test_llm_answer_streams_into_the_chat(server, store, llm_server, open_page):
    llm_server.reset(Reply(pieces=["青禾县每年可生产", "金属镁8万吨", "、镁合金15万吨", "，开采白云岩60万吨[1]。"], pause=0.7))
    with llm_app(server, store, llm_server, timeout=20) as app:
        page = open_page(app.url)
        page.page.locator("#cr-question textarea").fill(MAGNESIUM_QUESTION)
        page.page.locator("#cr-send").click()
        pending = page.page.locator("#cr-chat .cr-pending .cr-text")
        pending.wait_for()  # partial text is shown before the answer is complete
        assert "青禾县每年可生产" in pending.inner_text() and "白云岩" not in pending.inner_text()
        done = page.page.locator("#cr-chat .cr-answered")
        done.wait_for()
        assert done.locator(".cr-text").inner_text().startswith("青禾县每年可生产金属镁8万吨、镁合金15万吨，开采白云岩60万吨")
        assert "fake-qwen" in done.locator(".cr-mode").inner_text()
        assert done.locator(".cr-card").count() == 1


def test_final_answer_replaces_what_was_streamed(server, store, llm_server, open_page):
    """The model stalls midway: the extractive answer, not the model's half sentence, stays."""
    llm_server.reset(Reply(pieces=["青禾县每年可生产", "九十九万吨", "金属镁[1]。"], hang=30, hang_after=2))
    with llm_app(server, store, llm_server, timeout=1.5) as app:
        page = open_page(app.url)
        page.ask(MAGNESIUM_QUESTION)
        answer = page.last_answer
        assert "九十九万吨" not in answer.inner_text()
        assert COUNTY_FIGURE in answer.locator(".cr-text").inner_text()
        assert "原文摘录" in answer.locator(".cr-mode").inner_text()
        assert say("llm_failed", "zh", reason="timeout") in answer.locator(".cr-notice").inner_text()
    llm_server.reset()
